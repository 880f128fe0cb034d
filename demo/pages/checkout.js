// The demo checkout: binds the card form with the script-tag bundle (window.ZuoraCors).
// No inline script anywhere, so the page runs under `script-src 'self'` and Trusted Types.
// Where the card goes comes from /config.js (code the server wrote), never from the page's markup.
(function () {
	'use strict';
	var config = Object.getOwnPropertyDescriptor(window, 'zuoraCorsDemo');
	var forms = document.querySelectorAll('#card-form');
	// One form under that id, or the page was tampered with (an injected decoy): bind none, and the
	// card controls stay disabled as the markup has them.
	if (!config || !Object.isFrozen(config.value) || forms.length !== 1 || !(forms[0] instanceof HTMLFormElement) || !window.ZuoraCors) {
		return;
	}

	var form = forms[0];
	var result = document.getElementById('result');
	var failure = document.getElementById('error');

	/**
	 * The texts for the page's <html lang>, from a locale file the page loaded
	 * (/dist/locales/<lang>.iife.min.js defines ZuoraCorsLocales.<lang>), at any time: read at
	 * each submit, so a language switch applies to the next message. English, built in, otherwise.
	 */
	function messages() {
		var locales = window.ZuoraCorsLocales;
		var lang = document.documentElement.lang;
		// The saved sentence names the card (bindForm fills {brand} and {last4}); a locale's own wins.
		return Object.assign({card_saved: '{brand} ending {last4} saved.'}, locales && Object.hasOwn(locales, lang) ? locales[lang] : undefined);
	}

	function show(element, text) {
		element.textContent = text;
		element.hidden = false;
	}

	form.addEventListener('submit', function () {
		result.hidden = true;
		failure.hidden = true;
	});

	// After a save the form stays locked (no second card by a second click): the next step unlocks it.
	var another = document.createElement('button');
	another.type = 'button';
	another.textContent = 'Add another card';
	another.addEventListener('click', function () {
		result.hidden = true;
		window.checkout.reset();
		form.querySelector('input:enabled').focus();
	});

	// The outcome became unknown: the library's status region says it is checking; an earlier message goes.
	form.addEventListener(ZuoraCors.FORM_EVENTS.checking, function () {
		result.hidden = true;
		failure.hidden = true;
	});

	form.addEventListener(ZuoraCors.FORM_EVENTS.success, function (event) {
		// The shopper reads one message, bindForm's status naming the card; the payment method id
		// is for developers (this attribute, and the developer page's details).
		var id = event.detail.result.paymentMethodId;
		result.setAttribute('data-payment-method-id', id);
		result.replaceChildren('Next: ', another);
		result.hidden = false;
		var details = document.getElementById('payment-method-id');
		if (details) {
			details.textContent = id;
			details.parentElement.hidden = false;
		}
	});

	form.addEventListener(ZuoraCors.FORM_EVENTS.error, function (event) {
		var error = event.detail.error;
		failure.setAttribute('data-kind', error.kind);
		failure.setAttribute('data-stage', error.stage);
		failure.setAttribute('data-code', error.code === undefined ? '' : String(error.code));
		// The library's sentence for the shopper (never the card, never gateway jargon); its code
		// (data-message) is what a page would translate from, or pass `messages` for a locale.
		var described = ZuoraCors.describeError(error, {messages: messages()});
		failure.setAttribute('data-message', described.code);
		show(failure, described.message);
	});

	var card = config.value.card;
	window.checkout = ZuoraCors.bindForm(form, {
		signatureUrl: card.signatureUrl,
		signatureOptions: {method: 'POST'},
		// When a card's answer is lost, the form stays locked and says it is checking while the
		// library asks the backend (over Zuora's settle window) whether the card was saved.
		reconcileUrl: config.value.reconcileUrl,
		url: card.url,
		// The demo's Zuora is the stub, on a loopback origin over plain http: the library refuses
		// that unless the origin is listed in full. A page talking to Zuora lists nothing.
		allowedHosts: card.allowedHosts,
		// The account the backend signs, not a form field: markup cannot change it.
		fields: {accountKey: config.value.accountKey},
		// Beside the card, bindForm reads only the form fields named here.
		// The developer page's card-type select is read only because it is declared here, and only
		// there: on the other pages an injected card-type control decides nothing.
		formFields: location.pathname === '/developer.html' ? ['defaultPaymentMethod', 'creditCardType'] : ['defaultPaymentMethod'],
		// bindForm reads `messages` at each submit.
		get messages() {
			return messages();
		},
	});
})();
