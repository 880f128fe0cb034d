// The demo pages' configuration, filled in by the merchant server when it serves this file (the
// %PLACEHOLDERS%): where each call is signed, and the one Zuora origin the card may go to.
// A script, never markup: injected markup can add an element with any id or attribute (an
// earlier <form id="card-form" data-zuora-url="...">), so nothing read from the DOM may decide
// where the card goes. The pages load it before the body is parsed; it is a frozen, read-only own
// property of window, which no element's id or name can shadow (those live on its prototype).
(function () {
	'use strict';
	// location cannot be shadowed or redefined by markup; document.baseURI can (an injected <base>).
	var origin = location.origin;
	var allowedHosts = Object.freeze([new URL('%ZUORA_URL%').origin]);

	/** A signed call: the signature endpoint on this origin, the Zuora URL, the allowed Zuora origin. */
	function signedCall(signaturePath, url) {
		return Object.freeze({signatureUrl: origin + signaturePath, url: url, allowedHosts: allowedHosts});
	}

	Object.defineProperty(window, 'zuoraCorsDemo', {
		value: Object.freeze({
			card: signedCall('/signature', '%ZUORA_URL%'),
			// Asked when a card's outcome is unknown (its answer lost): whether it was saved after all.
			reconcileUrl: `${origin}/reconcile`,
			account: signedCall('/signature/account', '%ZUORA_ACCOUNTS_URL%'),
			file: signedCall('/signature/file', '%ZUORA_FILE_URL%'),
			// The account every card is added to (the backend signs it; shown in the developer panel).
			accountKey: '%ACCOUNT_KEY%',
			// The card frame of the checkout at / (createCardFrameHandler on the card origin); empty without one.
			cardFrameUrl: '%CARD_FRAME_URL%',
		}),
	});
})();
