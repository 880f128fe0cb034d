// The demo's account page: Create Account with a card (createAccount) and the invoice download
// (getFile), with the script-tag bundle (window.ZuoraCors). No inline script: CSP and Trusted Types hold.
// Where each call goes comes from /config.js (code the server wrote), never from the page's markup.
(function () {
	'use strict';
	var config = Object.getOwnPropertyDescriptor(window, 'zuoraCorsDemo');
	var forms = document.querySelectorAll('#account-form');
	// One form under that id, or the page was tampered with (an injected decoy): bind none, and the
	// controls stay disabled as the markup has them.
	if (!config || !Object.isFrozen(config.value) || forms.length !== 1 || !(forms[0] instanceof HTMLFormElement)) {
		return;
	}

	var form = forms[0];
	var result = document.getElementById('account-result');
	var accountError = document.getElementById('account-error');
	var download = document.getElementById('download-invoice');
	var link = document.getElementById('invoice-link');
	var invoiceError = document.getElementById('invoice-error');

	// A signed call as createAccount and getFile take it (the demo's Zuora is the stub on a
	// loopback http origin, which allowedHosts lists in full).
	function signedCall(call) {
		return {signatureUrl: call.signatureUrl, signatureOptions: {method: 'POST'}, url: call.url, allowedHosts: call.allowedHosts};
	}

	// The shopper's sentence comes from the library (describeError): no copy of these texts here.
	function fail(element, error) {
		var described = ZuoraCors.describeError(error);
		element.setAttribute('data-kind', error.kind);
		element.setAttribute('data-code', error.code === undefined ? '' : String(error.code));
		element.setAttribute('data-message', described.code);
		element.textContent = described.message;
		element.hidden = false;
	}

	form.addEventListener('submit', function (event) {
		event.preventDefault();
		result.hidden = true;
		accountError.hidden = true;
		// Through the prototypes: an injected control named `elements` or `namedItem` shadows the form's own.
		var elements = Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'elements').get.call(form);
		var value = function (name) {
			return HTMLFormControlsCollection.prototype.namedItem.call(elements, name).value;
		};

		ZuoraCors.createAccount(
			Object.assign(signedCall(config.value.account), {
				account: {
					currency: value('currency'),
					billToContact: {firstName: value('firstName'), lastName: value('lastName'), country: value('country')},
					creditCard: {
						cardNumber: value('cardNumber'),
						expirationMonth: value('expirationMonth'),
						expirationYear: value('expirationYear'),
						securityCode: value('securityCode'),
						cardHolderInfo: {cardHolderName: value('cardHolderName')},
					},
				},
			}),
		).then(
			function (account) {
				result.setAttribute('data-account-number', account.accountNumber);
				result.setAttribute('data-payment-method-id', account.paymentMethodId || '');
				result.textContent = `Account ${account.accountNumber} created.`;
				result.hidden = false;
			},
			function (error) {
				fail(accountError, error);
			},
		);
	});

	download.addEventListener('click', function () {
		invoiceError.hidden = true;
		ZuoraCors.getFile(signedCall(config.value.file))
			.then(function (pdf) {
				// Kept for the browser tests (the page's CSP lets nothing fetch the blob: URL back).
				window.invoice = pdf;
				return pdf
					.arrayBuffer()
					.then(function (bytes) {
						return crypto.subtle.digest('SHA-256', bytes);
					})
					.then(function (digest) {
						link.setAttribute('data-size', String(pdf.size));
						link.setAttribute(
							'data-sha256',
							Array.from(new Uint8Array(digest), function (byte) {
								return byte.toString(16).padStart(2, '0');
							}).join(''),
						);
						link.href = URL.createObjectURL(pdf);
						link.hidden = false;
					});
			})
			.catch(function (error) {
				fail(invoiceError, error);
			});
	});

	// The controls are enabled only now, with the submit listener in place and the library loaded:
	// without it a native submit would put the card in a URL. Only this form's controls inside its
	// fieldset: one the parser moved elsewhere (injected markup) stays disabled.
	var fieldset = Element.prototype.querySelector.call(form, 'fieldset[data-zuora-cors-fields]');
	var controls = Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'elements').get.call(form);
	if (window.ZuoraCors) {
		fieldset.disabled = false;
		Array.prototype.forEach.call(controls, function (control) {
			if (Node.prototype.contains.call(fieldset, control)) {
				control.disabled = false;
			}
		});
	}
})();
