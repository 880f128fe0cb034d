/** Small pure helpers of the stub: value coercion and Zuora's answer shapes. */
import {randomBytes, timingSafeEqual} from 'node:crypto';

export type Reason = {code: number; message: string};
export type Reply = {status: number; body: unknown; headers?: Record<string, string>; raw?: Buffer};

/** Absent is undefined, null or the empty string. */
export function isBlank(value: unknown): value is undefined | null | '' {
	return value === undefined || value === null || value === '';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonBody(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return isPlainObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** An integer from a number or a digit string matching `pattern`. */
export function acceptedInteger(value: unknown, pattern: RegExp): number | undefined {
	if (typeof value === 'number') {
		return Number.isInteger(value) ? value : undefined;
	}

	if (typeof value === 'string' && pattern.test(value)) {
		return Number(value);
	}

	return undefined;
}

/** Absent is false; the guide's sample sends form values, so "true"/"false" count too. */
export function acceptedBoolean(value: unknown): boolean | undefined {
	if (value === undefined || value === null || value === false || value === 'false') {
		return false;
	}

	if (value === true || value === 'true') {
		return true;
	}

	return undefined;
}

export function reason(code: number, message: string): Reason {
	return {code, message};
}

/** Zuora's failure envelope. */
export function failure(...reasons: Reason[]) {
	return {success: false as const, processId: randomBytes(8).toString('hex').toUpperCase(), reasons};
}

export function ok(body: unknown): Reply {
	return {status: 200, body};
}

export function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

export function randomHex(): string {
	return randomBytes(16).toString('hex');
}
