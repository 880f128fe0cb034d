// The demo checkout: binds the card form with the script-tag bundle (window.ZuoraCors).
// No inline script anywhere, so the page runs under `script-src 'self'` and Trusted Types.
(function () {
	'use strict';
	var form = document.getElementById('card-form');
	var result = document.getElementById('result');
	var failure = document.getElementById('error');

	/** What a shopper should read for each kind of failure (never the card, never a stack). */
	function explain(error) {
		switch (error.kind) {
			case 'validation':
				return 'Please check the highlighted fields.';
			case 'zuora':
				return error.reasons.length > 0 ? error.reasons[0].message : 'The payment service refused the card.';
			case 'network':
			case 'timeout':
				// The POST may have reached Zuora: say so rather than invite a duplicate.
				return error.stage === 'request'
					? 'We lost the connection while saving your card. It may or may not have been saved: please check your account before trying again.'
					: 'We could not reach the shop. Please try again.';
			case 'http':
				return error.status === 429 ? 'Too many attempts. Please wait a moment and try again.' : 'The payment service had a problem. Please try again later.';
			default:
				return 'Something went wrong. Please try again later.';
		}
	}

	function show(element, text) {
		element.textContent = text;
		element.hidden = false;
	}

	form.addEventListener('submit', function () {
		result.hidden = true;
		failure.hidden = true;
	});

	form.addEventListener(ZuoraCors.FORM_EVENTS.success, function (event) {
		var id = event.detail.result.paymentMethodId;
		result.setAttribute('data-payment-method-id', id);
		show(result, 'Card saved. Payment method ' + id);
	});

	form.addEventListener(ZuoraCors.FORM_EVENTS.error, function (event) {
		var error = event.detail.error;
		failure.setAttribute('data-kind', error.kind);
		failure.setAttribute('data-stage', error.stage);
		failure.setAttribute('data-code', error.code === undefined ? '' : String(error.code));
		show(failure, explain(error));
	});

	window.checkout = ZuoraCors.bindForm(form, {
		signatureUrl: form.getAttribute('data-signature-url'),
		url: form.getAttribute('data-zuora-url'),
		// Signatures are issued on POST only (a cross-site GET navigation must not spend them).
		signatureOptions: {method: 'POST'},
	});
})();
