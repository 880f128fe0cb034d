/**
 * Which client a request comes from, for the per-address limit.
 *
 * The rule: the socket address the adapter passes (`context.clientAddress`), unless the
 * merchant says how many proxies sit in front (`trustProxy: n`): then the address the n-th
 * proxy saw, read from the right of `X-Forwarded-For` (entries left of it are the client's
 * own claims and are never trusted), or a function of the merchant's. IPv6 addresses count
 * per /64 prefix (one subscriber's allocation, which its owner can rotate through at will);
 * IPv4-mapped IPv6 addresses count as their IPv4 address. A second, wider key (`networkKey`:
 * IPv6 /48, IPv4 /24) bounds whoever holds a whole site's allocation of /64s.
 *
 * A request that carries fewer `X-Forwarded-For` entries than `trustProxy` says proxies write
 * did not pass all of them (a proxy was bypassed): it has no address, never the client's own entry.
 * A client that bypasses the outer proxy and writes the missing entries itself cannot be told
 * apart by counting: `trustProxy: n` is sound only where the inner proxies accept connections
 * from the outer one alone.
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
	const chain = [socketAddress ?? '', ...forwardedEntries(request).reverse()];
	return chain[trustProxy] || undefined;
}

/** Whether a hop count of trusted proxies finds fewer `X-Forwarded-For` entries than proxies: one was bypassed. */
export function proxyBypassed(request: Request, trustProxy: TrustProxy | undefined): boolean {
	return typeof trustProxy === 'number' && forwardedEntries(request).length < trustProxy;
}

function forwardedEntries(request: Request): string[] {
	return (request.headers.get('x-forwarded-for') ?? '')
		.split(',')
		.map(entry => entry.trim())
		.filter(Boolean);
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

/**
 * The wider key of an address, for the network limit: an IPv4 address's /24 (`192.0.2.0/24`), an
 * IPv6 address's /48 (`2001:db8:1::/48`, a site's usual allocation); undefined when not an IP address.
 */
export function networkKey(address: string): string | undefined {
	const key = addressKey(address);
	if (key === undefined) {
		return undefined;
	}

	if (!key.endsWith('/64')) {
		return `${key.split('.').slice(0, 3).join('.')}.0/24`;
	}

	return `${key.split(':').slice(0, 3).join(':')}::/48`;
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
