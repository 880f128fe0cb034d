import type {MessageCatalogue} from '../messages.js';

/**
 * Every text in German, by code: pass it as `messages` (`zuora-cors/locales/de`; with the script
 * tag, `dist/locales/de.iife.min.js` defines `ZuoraCorsLocales.de`).
 */
export const de: MessageCatalogue = {
	card_type_invalid: 'Wählen Sie eine dieser Karten: Visa, Mastercard, American Express, Discover, JCB, Diners Club.',
	card_type_mismatch: 'Die Kartennummer ist keine {brand}-Nummer.',
	card_number_required: 'Geben Sie die Kartennummer ein.',
	card_number_not_digits: 'Die Kartennummer darf nur Ziffern enthalten.',
	card_brand_not_accepted: 'Diese Kartenart wird nicht akzeptiert. Verwenden Sie Visa, Mastercard, American Express, Discover, JCB oder Diners Club.',
	card_number_brand_invalid: 'Die Kartennummer ist keine gültige {brand}-Nummer.',
	card_number_length_invalid: 'Die Kartennummer hat die falsche Anzahl an Ziffern für {brand}.',
	card_number_invalid: 'Die Kartennummer ist ungültig. Bitte prüfen Sie sie auf Tippfehler.',
	expiry_month_invalid: 'Geben Sie den Ablaufmonat ein, 1 bis 12.',
	expiry_year_invalid: 'Geben Sie das Ablaufjahr vierstellig ein.',
	card_expired: 'Die Karte ist abgelaufen.',
	security_code_invalid: 'Geben Sie den {size}-stelligen Sicherheitscode ein.',
	security_code_invalid_front: 'Geben Sie den {size}-stelligen Sicherheitscode von der Vorderseite der Karte ein.',
	security_code_invalid_any: 'Geben Sie den 3- oder 4-stelligen Sicherheitscode ein.',
	default_payment_method_invalid: 'Muss wahr oder falsch sein.',
	card_holder_name_too_long: 'Geben Sie den Namen auf der Karte ein, höchstens 50 Zeichen.',
	field_repeated: 'Dieses Feld kommt auf der Seite mehrfach vor. Laden Sie die Seite neu und versuchen Sie es erneut.',
	expiry_invalid: 'Geben Sie das Ablaufdatum als MM / JJ ein.',
	card_brand_not_supported: 'Diese Kartenart wird hier nicht akzeptiert. Verwenden Sie {brands}.',
	card_saved: 'Ihre Karte wurde gespeichert.',
	still_working: 'Wird noch bearbeitet. Bitte warten Sie.',
	card_checking: 'Wir prüfen, ob Ihre Karte gespeichert wurde…',
	card_declined: 'Ihre Karte wurde abgelehnt. Bitte verwenden Sie eine andere Karte oder wenden Sie sich an Ihre Bank.',
	card_declined_insufficient_funds: 'Ihre Karte wurde wegen unzureichender Deckung abgelehnt. Bitte verwenden Sie eine andere Karte.',
	card_declined_expired: 'Ihre Karte wurde abgelehnt, weil sie abgelaufen ist. Bitte verwenden Sie eine andere Karte.',
	card_declined_security_code: 'Ihre Karte wurde abgelehnt, weil der Sicherheitscode nicht stimmt. Prüfen Sie ihn und versuchen Sie es erneut.',
	card_declined_number: 'Ihre Karte wurde abgelehnt, weil die Kartennummer nicht stimmt. Prüfen Sie sie und versuchen Sie es erneut.',
	card_not_saved: 'Ihre Karte konnte nicht gespeichert werden. Prüfen Sie die Angaben oder verwenden Sie eine andere Karte.',
	card_not_saved_try_again: 'Ihre Karte wurde nicht gespeichert. Bitte versuchen Sie es erneut.',
	session_expired: 'Ihre Sitzung ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut.',
	too_many_attempts: 'Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut.',
	too_many_attempts_seconds: 'Zu viele Versuche. Bitte warten Sie {seconds} Sekunden und versuchen Sie es erneut.',
	too_many_attempts_minutes: 'Zu viele Versuche. Bitte warten Sie {minutes} Minuten und versuchen Sie es erneut.',
	service_unavailable: 'Der Zahlungsdienst ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.',
	connection_lost: 'Es konnte keine Verbindung hergestellt werden. Ihre Karte wurde nicht gesendet. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
	outcome_unknown_connection:
		'Die Verbindung wurde unterbrochen, während Ihre Karte gespeichert wurde. Wir konnten nicht bestätigen, ob sie gespeichert wurde. Bitte prüfen Sie Ihre gespeicherten Karten, bevor Sie es erneut versuchen.',
	outcome_unknown_timeout:
		'Der Zahlungsdienst hat nicht rechtzeitig geantwortet. Wir konnten nicht bestätigen, ob Ihre Karte gespeichert wurde. Bitte prüfen Sie Ihre gespeicherten Karten, bevor Sie es erneut versuchen.',
	outcome_unknown: 'Wir konnten nicht bestätigen, ob Ihre Karte gespeichert wurde. Bitte prüfen Sie Ihre gespeicherten Karten, bevor Sie es erneut versuchen.',
	cancelled: 'Abgebrochen. Ihre Karte wurde nicht gesendet.',
	cancelled_outcome_unknown: 'Abgebrochen. Wir konnten nicht bestätigen, ob Ihre Karte gespeichert wurde. Bitte prüfen Sie Ihre gespeicherten Karten, bevor Sie es erneut versuchen.',
	checkout_unavailable: 'Die Zahlung konnte nicht gestartet werden. Ihre Karte wurde nicht gespeichert. Bitte versuchen Sie es später erneut oder kontaktieren Sie uns.',
	card_not_sent: 'Bei uns ist ein Fehler aufgetreten. Ihre Karte wurde nicht gesendet. Bitte versuchen Sie es später erneut oder kontaktieren Sie uns.',
	unexpected: 'Beim Speichern Ihrer Karte ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut oder kontaktieren Sie uns.',
};
