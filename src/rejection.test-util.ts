import {expect} from 'vitest';
import {ZuoraCorsError} from './errors.js';

/** The error a call rejects with, checked to be this library's; a call that resolves fails the test. */
export const failure = async (promise: Promise<unknown>) =>
	promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: unknown) => {
			expect(error).toBeInstanceOf(ZuoraCorsError);
			return error as ZuoraCorsError;
		},
	);
