/**
 * Which client a request comes from, for the per-address limit.
 *
 * The rule: the socket address the adapter passes (`context.clientAddress`), unless the
 * merchant says how many proxies sit in front (`trustProxy: n`): then the address the n-th
 * proxy saw, read from the right of `X-Forwarded-For` (entries left of it are the client's
 * own claims and are never trusted), or a function of the merchant's. IPv6 addresses count
 * per /64 prefix (one subscriber's allocation, which its owner can rotate through at will);
 * IPv4-mapped IPv6 addresses count as their IPv4 address.
 */

/** How the client address is found: a hop count of trusted proxies, or the merchant's own function. */
export type TrustProxy = number | ((request: Request, socketAddress: string | undefined) => string | undefined);

/** The address a request comes from, before grouping, or undefined when none can be known. */
export function clientAddress(request: Request, socketAddress: string | undefined, trustProxy: TrustProxy | undefined): string | undefined {
	if (typeof trustProxy === 'function') {
		return trustProxy(request, socketAddress);
	}

	if (trustProxy === undefined || trustProxy === 0) {
		return socketAddress;
	}

	// Nearest first: the socket (the last proxy), then X-Forwarded-For from its right end.
	const forwarded = (request.headers.get('x-forwarded-for') ?? '')
		.split(',')
		.map(entry => entry.trim())
		.filter(Boolean);
	const chain = [socketAddress ?? '', ...forwarded.reverse()];
	return chain[Math.min(trustProxy, chain.length - 1)] || undefined;
}

/**
 * The limit key of an address: an IPv4 address as is, an IPv6 address as its /64 prefix
 * (`2001:db8:1:2::/64`), an IPv4-mapped IPv6 address as its IPv4 address; undefined when the
 * text is not an IP address.
 */
export function addressKey(address: string): string | undefined {
	const text = address
		.trim()
		.replace(/^\[|\]$/g, '')
		.replace(/%.*$/, '');
	if (isIpv4(text)) {
		return text;
	}

	const groups = expandIpv6(text);
	if (groups === undefined) {
		return undefined;
	}

	// ::ffff:a.b.c.d
	if (groups.slice(0, 5).every(group => group === 0) && groups[5] === 0xff_ff) {
		return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
	}

	return `${groups
		.slice(0, 4)
		.map(group => group.toString(16))
		.join(':')}::/64`;
}

function isIpv4(text: string): boolean {
	const parts = text.split('.');
	return parts.length === 4 && parts.every(part => /^(?:0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted IPv4), or undefined. */
function expandIpv6(text: string): number[] | undefined {
	if (!/^[\da-f:.]+$/i.test(text) || text.length > 45) {
		return undefined;
	}

	let head = text;
	const tail: number[] = [];
	const dotted = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
	if (dotted) {
		if (!isIpv4(dotted[1]!)) {
			return undefined;
		}

		const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
		tail.push((a << 8) | b, (c << 8) | d);
		head = text.slice(0, -dotted[1]!.length);
		if (head.endsWith(':') && !head.endsWith('::')) {
			head = head.slice(0, -1);
		}
	}

	const halves = head.split('::');
	if (halves.length > 2) {
		return undefined;
	}

	const parse = (part: string) => (part === '' ? [] : part.split(':'));
	const left = parse(halves[0]!);
	const right = halves.length === 2 ? parse(halves[1]!) : [];
	if (![...left, ...right].every(group => /^[\da-f]{1,4}$/i.test(group))) {
		return undefined;
	}

	const missing = 8 - left.length - right.length - tail.length;
	if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) {
		return undefined;
	}

	return [...left.map(group => Number.parseInt(group, 16)), ...Array.from({length: halves.length === 2 ? missing : 0}, () => 0), ...right.map(group => Number.parseInt(group, 16)), ...tail];
}
