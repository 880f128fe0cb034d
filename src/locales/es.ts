import type {MessageCatalogue} from '../messages.js';

/**
 * Every text in Spanish, by code: pass it as `messages` (`zuora-cors/locales/es`; with the script
 * tag, `dist/locales/es.iife.min.js` defines `ZuoraCorsLocales.es`).
 */
export const es: MessageCatalogue = {
	card_type_invalid: 'Elija una de estas: Visa, Mastercard, American Express, Discover, JCB, Diners Club.',
	card_type_mismatch: 'El número de tarjeta no es un número de {brand}.',
	card_number_required: 'Introduzca el número de tarjeta.',
	card_number_not_digits: 'El número de tarjeta solo puede contener dígitos.',
	card_brand_not_accepted: 'No se acepta este tipo de tarjeta. Use Visa, Mastercard, American Express, Discover, JCB o Diners Club.',
	card_number_brand_invalid: 'El número de tarjeta no es un número de {brand} válido.',
	card_number_length_invalid: 'El número de tarjeta no tiene el número de dígitos correcto para {brand}.',
	card_number_invalid: 'El número de tarjeta no es válido. Compruebe que no tenga errores.',
	expiry_month_invalid: 'Introduzca el mes de caducidad, de 1 a 12.',
	expiry_year_invalid: 'Introduzca el año de caducidad con cuatro dígitos.',
	card_expired: 'La tarjeta ha caducado.',
	security_code_invalid: 'Introduzca el código de seguridad de {size} dígitos.',
	security_code_invalid_front: 'Introduzca el código de seguridad de {size} dígitos impreso en el anverso de la tarjeta.',
	security_code_invalid_any: 'Introduzca el código de seguridad de 3 o 4 dígitos.',
	default_payment_method_invalid: 'Debe ser verdadero o falso.',
	card_holder_name_too_long: 'Introduzca el nombre que figura en la tarjeta, 50 caracteres como máximo.',
	field_repeated: 'Este campo aparece más de una vez en la página. Vuelva a cargar la página e inténtelo de nuevo.',
	expiry_invalid: 'Introduzca la fecha de caducidad como MM / AA.',
	card_brand_not_supported: 'Este tipo de tarjeta no se acepta aquí. Use {brands}.',
	card_saved: 'Su tarjeta se ha guardado.',
	still_working: 'Seguimos procesando. Espere, por favor.',
	card_checking: 'Estamos comprobando si su tarjeta se ha guardado…',
	card_declined: 'Su tarjeta ha sido rechazada. Use otra tarjeta o póngase en contacto con su banco.',
	card_declined_insufficient_funds: 'Su tarjeta ha sido rechazada por fondos insuficientes. Use otra tarjeta.',
	card_declined_expired: 'Su tarjeta ha sido rechazada porque ha caducado. Use otra tarjeta.',
	card_declined_security_code: 'Su tarjeta ha sido rechazada porque el código de seguridad no es correcto. Compruébelo e inténtelo de nuevo.',
	card_declined_number: 'Su tarjeta ha sido rechazada porque el número de tarjeta no es correcto. Compruébelo e inténtelo de nuevo.',
	card_not_saved: 'No se ha podido guardar su tarjeta. Compruebe los datos o use otra tarjeta.',
	card_not_saved_try_again: 'Su tarjeta no se ha guardado. Inténtelo de nuevo.',
	session_expired: 'Su sesión ha caducado. Vuelva a cargar la página e inténtelo de nuevo.',
	too_many_attempts: 'Demasiados intentos. Espere un momento e inténtelo de nuevo.',
	too_many_attempts_seconds: 'Demasiados intentos. Espere {seconds} segundos e inténtelo de nuevo.',
	too_many_attempts_minutes: 'Demasiados intentos. Espere {minutes} minutos e inténtelo de nuevo.',
	service_unavailable: 'El servicio de pago está saturado en este momento. Inténtelo de nuevo en unos instantes.',
	connection_lost: 'No se ha podido conectar. Su tarjeta no se ha enviado. Compruebe su conexión a Internet e inténtelo de nuevo.',
	outcome_unknown_connection:
		'Se perdió la conexión mientras se guardaba su tarjeta, por lo que no hemos podido confirmar si se ha guardado. Compruebe sus tarjetas guardadas antes de volver a intentarlo.',
	outcome_unknown_timeout:
		'El servicio de pago no respondió a tiempo, por lo que no hemos podido confirmar si su tarjeta se ha guardado. Compruebe sus tarjetas guardadas antes de volver a intentarlo.',
	outcome_unknown: 'No hemos podido confirmar si su tarjeta se ha guardado. Compruebe sus tarjetas guardadas antes de volver a intentarlo.',
	cancelled: 'Cancelado. Su tarjeta no se ha enviado.',
	cancelled_outcome_unknown: 'Cancelado. No hemos podido confirmar si su tarjeta se ha guardado. Compruebe sus tarjetas guardadas antes de volver a intentarlo.',
	checkout_unavailable: 'No se ha podido iniciar el pago. Su tarjeta no se ha guardado. Inténtelo más tarde o póngase en contacto con nosotros.',
	card_not_sent: 'Algo ha fallado por nuestra parte. Su tarjeta no se ha enviado. Inténtelo más tarde o póngase en contacto con nosotros.',
	unexpected: 'Algo ha fallado al guardar su tarjeta. Inténtelo más tarde o póngase en contacto con nosotros.',
};
