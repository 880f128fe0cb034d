// The demo's framed checkout (/): the card fields are a frame of the card origin
// (mountCardFields from the frames bundle, window.ZuoraCors); this page holds the email, the
// "default" choice and the button, and learns only what the frame tells it (ready, the state,
// and after a save the id, brand, last four and expiry). No inline script anywhere.
(function () {
	'use strict';
	var config = Object.getOwnPropertyDescriptor(window, 'zuoraCorsDemo');
	var forms = document.querySelectorAll('#checkout');
	var containers = document.querySelectorAll('#card-fields');
	// One form and one container under those ids, or the page was tampered with: mount nothing.
	if (!config || !Object.isFrozen(config.value) || forms.length !== 1 || containers.length !== 1 || !window.ZuoraCors || !ZuoraCors.mountCardFields) {
		return;
	}

	var form = forms[0];
	var container = containers[0];
	var button = document.getElementById('submit');
	var note = form.querySelector('.card-unavailable');
	var result = document.getElementById('result');
	var failure = document.getElementById('error');
	if (!config.value.cardFrameUrl) {
		note.textContent = 'This demo runs without a card origin: start it with npm start, or use the in-page form (/card.html).';
		return;
	}

	// The frame's status names the saved card (one message); the page adds only the next step.
	var card = ZuoraCors.mountCardFields(container, {frameUrl: config.value.cardFrameUrl, locale: 'en', messages: {card_saved: '{brand} ending {last4} saved.'}});
	window.checkout = card;
	var saving = false;

	card.ready.then(
		function () {
			note.hidden = true;
			button.disabled = false;
		},
		function (error) {
			note.textContent = `The secure card form did not load (${error.code}). Reload the page to try again.`;
		},
	);

	function show(element, text) {
		element.textContent = text;
		element.hidden = false;
	}

	// After a save the frame stays locked (no second card by a second click): the next step unlocks it.
	var another = document.createElement('button');
	another.type = 'button';
	another.textContent = 'Add another card';
	another.addEventListener('click', function () {
		result.hidden = true;
		card.reset();
		button.disabled = false;
		card.focus('creditCardNumber');
	});

	/** The page's non-card fields, as the frame accepts them (never a card field, URL or account). */
	function fields() {
		var email = form.elements.namedItem('email').value.trim();
		var chosen = {defaultPaymentMethod: form.elements.namedItem('defaultPaymentMethod').checked};
		if (email) {
			chosen.cardHolderInfo = {email: email};
		}
		return chosen;
	}

	function save() {
		if (saving) {
			return;
		}
		saving = true;
		button.disabled = true;
		form.setAttribute('aria-busy', 'true');
		result.hidden = true;
		failure.hidden = true;
		card
			.submit({fields: fields()})
			.then(
				function (saved) {
					// The id is for developers (this attribute and the developer panel), never the shopper's text.
					result.setAttribute('data-payment-method-id', saved.paymentMethodId);
					result.replaceChildren('Next: ', another);
					result.hidden = false;
				},
				function (error) {
					failure.setAttribute('data-kind', error.kind);
					failure.setAttribute('data-code', String(error.code === undefined ? '' : error.code));
					// The frame shows the field errors and the shopper's message itself; the page adds only the outcome.
					show(failure, error.kind === 'validation' ? 'Check the card details.' : 'Your card was not saved.');
					button.disabled = false;
				},
			)
			.finally(function () {
				saving = false;
				form.removeAttribute('aria-busy');
			});
	}

	form.addEventListener('submit', function (event) {
		event.preventDefault();
		save();
	});
	// Enter in the frame's fields: the same as the button.
	container.addEventListener(ZuoraCors.CARD_FIELDS_EVENTS ? ZuoraCors.CARD_FIELDS_EVENTS.submitRequest : 'zuora-cors:submit-request', save);
})();
