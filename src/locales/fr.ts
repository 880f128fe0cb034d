import type {MessageCatalogue} from '../messages.js';

/**
 * Every text in French, by code: pass it as `messages` (`zuora-cors/locales/fr`; with the script
 * tag, `dist/locales/fr.iife.min.js` defines `ZuoraCorsLocales.fr`).
 */
export const fr: MessageCatalogue = {
	card_type_invalid: 'Choisissez parmi : Visa, Mastercard, American Express, Discover, JCB, Diners Club.',
	card_type_mismatch: 'Le numéro de carte n’est pas un numéro {brand}.',
	card_number_required: 'Saisissez le numéro de carte.',
	card_number_not_digits: 'Le numéro de carte ne peut contenir que des chiffres.',
	card_brand_not_accepted: 'Ce type de carte n’est pas accepté. Utilisez Visa, Mastercard, American Express, Discover, JCB ou Diners Club.',
	card_number_brand_invalid: 'Le numéro de carte n’est pas un numéro {brand} valide.',
	card_number_length_invalid: 'Le numéro de carte n’a pas le bon nombre de chiffres pour {brand}.',
	card_number_invalid: 'Le numéro de carte n’est pas valide. Vérifiez qu’il ne contient pas de faute de frappe.',
	expiry_month_invalid: 'Saisissez le mois d’expiration, de 1 à 12.',
	expiry_year_invalid: 'Saisissez l’année d’expiration sur quatre chiffres.',
	card_expired: 'La carte a expiré.',
	security_code_invalid: 'Saisissez le code de sécurité à {size} chiffres.',
	security_code_invalid_front: 'Saisissez le code de sécurité à {size} chiffres imprimé au recto de la carte.',
	security_code_invalid_any: 'Saisissez le code de sécurité à 3 ou 4 chiffres.',
	default_payment_method_invalid: 'Doit être vrai ou faux.',
	card_holder_name_too_long: 'Saisissez le nom figurant sur la carte, 50 caractères au maximum.',
	field_repeated: 'Ce champ apparaît plusieurs fois sur la page. Rechargez la page et réessayez.',
	expiry_invalid: 'Saisissez la date d’expiration au format MM / AA.',
	card_declined: 'Votre carte a été refusée. Utilisez une autre carte ou contactez votre banque.',
	card_declined_insufficient_funds: 'Votre carte a été refusée pour provision insuffisante. Utilisez une autre carte.',
	card_declined_expired: 'Votre carte a été refusée car elle a expiré. Utilisez une autre carte.',
	card_declined_security_code: 'Votre carte a été refusée car le code de sécurité est incorrect. Vérifiez-le et réessayez.',
	card_declined_number: 'Votre carte a été refusée car le numéro de carte est incorrect. Vérifiez-le et réessayez.',
	card_not_saved: 'Votre carte n’a pas pu être enregistrée. Vérifiez les informations ou utilisez une autre carte.',
	card_not_saved_try_again: 'Votre carte n’a pas été enregistrée. Veuillez réessayer.',
	session_expired: 'Votre session a expiré. Rechargez la page et réessayez.',
	too_many_attempts: 'Trop de tentatives. Patientez un instant, puis réessayez.',
	too_many_attempts_seconds: 'Trop de tentatives. Patientez {seconds} secondes, puis réessayez.',
	too_many_attempts_minutes: 'Trop de tentatives. Patientez {minutes} minutes, puis réessayez.',
	service_unavailable: 'Le service de paiement est très sollicité. Réessayez dans un instant.',
	connection_lost: 'La connexion a échoué. Votre carte n’a pas été envoyée. Vérifiez votre connexion Internet et réessayez.',
	timed_out: 'Le service de paiement a mis trop de temps à répondre. Votre carte n’a pas été envoyée. Réessayez.',
	outcome_unknown_connection:
		'La connexion a été perdue pendant l’enregistrement de votre carte : nous n’avons pas pu confirmer si elle a été enregistrée. Vérifiez vos cartes enregistrées avant de réessayer.',
	outcome_unknown_timeout: 'Le service de paiement n’a pas répondu à temps : nous n’avons pas pu confirmer si votre carte a été enregistrée. Vérifiez vos cartes enregistrées avant de réessayer.',
	outcome_unknown: 'Nous n’avons pas pu confirmer si votre carte a été enregistrée. Vérifiez vos cartes enregistrées avant de réessayer.',
	cancelled: 'Annulé. Votre carte n’a pas été envoyée.',
	cancelled_outcome_unknown: 'Annulé. Nous n’avons pas pu confirmer si votre carte a été enregistrée. Vérifiez vos cartes enregistrées avant de réessayer.',
	checkout_unavailable: 'Le paiement n’a pas pu être lancé. Votre carte n’a pas été enregistrée. Veuillez réessayer plus tard ou nous contacter.',
	card_not_sent: 'Une erreur s’est produite de notre côté. Votre carte n’a pas été envoyée. Réessayez plus tard ou contactez-nous.',
	unexpected: 'Une erreur s’est produite lors de l’enregistrement de votre carte. Réessayez plus tard ou contactez-nous.',
};
