import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { IngressRejection } from '../ingress-rejection';

/** Helpers shared by the adapters: constant-time comparison, HMAC, JSON and field checks. */

export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Constant-time equality of a computed MAC and the one a request carries. A MAC's length is public (it is the
 * algorithm's), so a different length is refused at once and equal lengths are compared directly.
 */
export function sameMac(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Constant-time equality of two secrets of possibly different length (hashing equalizes the length, so the time
 * says nothing about the expected secret's length either).
 */
export function safeEqual(a: Buffer | string, b: Buffer | string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && Buffer.byteLength(a) === Buffer.byteLength(b);
}

/** Decodes lower- or upper-case hex; null when it is not hex of the expected length. */
export function fromHex(text: string, bytes = 32): Buffer | null {
  return new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(text) ? Buffer.from(text, 'hex') : null;
}

export function requireHeader(headers: Record<string, string | undefined>, name: string): string {
  const value = headers[name];
  if (!value) throw new IngressRejection('verification_failed', `Missing ${name} header`);
  return value;
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new IngressRejection('unparsable_body', 'Body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new IngressRejection('unparsable_body', 'Body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function requireStringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0)
    throw new IngressRejection('unparsable_body', `Body is missing the string field "${field}"`);
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The non-empty string at `path` inside `body` (`data.object.id`), or null when any step is missing. */
export function nestedString(body: Record<string, unknown>, ...path: string[]): string | null {
  let value: unknown = body;
  for (const step of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    value = (value as Record<string, unknown>)[step];
  }
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** An ISO-8601 string or unix seconds as a Date; null when absent or unparsable. */
export function toDate(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string' && value.length > 0) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** Rejects a signed timestamp (unix seconds) further than `toleranceSeconds` from now, in either direction. */
export function assertFresh(timestampSeconds: number, toleranceSeconds: number, now: Date): void {
  if (!Number.isFinite(timestampSeconds))
    throw new IngressRejection('verification_failed', 'Signature timestamp is not a number');
  if (Math.abs(now.getTime() / 1000 - timestampSeconds) > toleranceSeconds) {
    throw new IngressRejection('stale_timestamp', `Signature timestamp is outside the ${toleranceSeconds} s tolerance`);
  }
}
