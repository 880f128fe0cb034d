import {ERROR_MESSAGES, FIELD_MESSAGES, FORM_FIELD_MESSAGES, FORM_STATUS_MESSAGES, type MessageCatalogue} from '../messages.js';

/**
 * Every built-in English text, by code: the codes as data, and the starting point of a new
 * locale (`zuora-cors/locales/en`). Kept out of the main entry so shoppers never download it twice.
 */
export const en: MessageCatalogue = {...FIELD_MESSAGES, ...FORM_FIELD_MESSAGES, ...ERROR_MESSAGES, ...FORM_STATUS_MESSAGES};
