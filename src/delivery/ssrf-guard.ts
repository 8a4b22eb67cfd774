import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

/** Address ranges a delivery may not reach unless private networks are allowed. */
const FORBIDDEN_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'uniqueLocal',
  'carrierGradeNat',
  'reserved',
  'benchmarking',
  'amt',
  'as112',
  'as112v6',
  'deprecated',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
  'discard',
]);

/** Thrown (through undici) when the endpoint's host resolves to a refused address. */
export class RefusedAddressError extends Error {
  readonly code = 'EHOOKGATE_REFUSED_ADDRESS';
}

/** True when `address` is in a range deliveries must not reach (loopback, private, link-local incl. metadata, …). */
export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return FORBIDDEN_RANGES.has(parsed.range());
}

/** Refuses an IP-literal host before connecting (no DNS lookup happens for those). */
export function assertAllowedLiteral(hostname: string): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) && isForbiddenAddress(bare)) throw new RefusedAddressError(`${bare} is a private or reserved address`);
}

/**
 * A `lookup` for net/tls.connect that checks what the name resolved to, at connection time: a name that
 * re-resolves to a private address (DNS rebinding) is refused on the connection that would use it.
 */
export function guardedLookup(
  hostname: string,
  options: object,
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (refused)
      return callback(
        new RefusedAddressError(`${hostname} resolves to ${refused.address}, a private or reserved address`),
        [],
      );
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
