import { isUtf8 } from 'node:buffer';
import { IngressRejection } from '../providers/ingress-rejection';

/** Deeper payloads are refused: no provider nests this far, and deeper trees exhaust stacks (JSON.stringify, jsonb). */
export const MAX_JSON_DEPTH = 64;

function storableString(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

const isStorableString = (text: string) => !text.includes('\u0000') && text.isWellFormed();

/**
 * Whether every string (keys too) is storable as it is; throws a 400 rejection for nesting deeper than
 * MAX_JSON_DEPTH. Allocates nothing: most payloads need no copy.
 */
function isStorable(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return isStorableString(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth >= MAX_JSON_DEPTH)
    throw new IngressRejection('unparsable_body', `Body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  let storable = true;
  if (Array.isArray(value)) {
    for (const item of value) storable = isStorable(item, depth + 1) && storable;
  } else {
    for (const key in value)
      storable = isStorableString(key) && isStorable((value as Record<string, unknown>)[key], depth + 1) && storable;
  }
  return storable;
}

function storableCopy(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => storableCopy(item));
  // fromEntries defines own properties: a "__proto__" key stays a key instead of replacing the prototype.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableString(key), storableCopy(item)]));
}

/**
 * The payload as PostgreSQL's jsonb can hold it: every string (keys too) without NUL characters and with lone
 * surrogates replaced by U+FFFD; jsonb refuses both. Every other character is kept; the raw bytes are stored
 * untouched beside it. The payload itself when it is storable already (the usual case), a cleaned copy otherwise.
 * Throws a 400 rejection for nesting deeper than MAX_JSON_DEPTH.
 */
export function storableJson(value: unknown): unknown {
  return isStorable(value, 0) ? value : storableCopy(value);
}

/** Longest external id or event type accepted (the unique index on the idempotency key has a size limit). */
export const MAX_IDENTIFIER_LENGTH = 1024;

/** An external id or event type PostgreSQL can index and store as text, else a 400 rejection. */
export function assertStorableIdentifier(name: string, value: string | null): void {
  if (value === null) return;
  if (value.length > MAX_IDENTIFIER_LENGTH)
    throw new IngressRejection('unparsable_body', `${name} is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (value.includes('\u0000')) throw new IngressRejection('unparsable_body', `${name} contains a NUL character`);
}

/** An exponent of four digits or more may overflow PostgreSQL's numeric; JSON.parse turns it into Infinity or 0. */
const LONG_EXPONENT = /[eE][+-]?\d{4}/;

/**
 * True when PostgreSQL's jsonb parses these raw bytes (already accepted by JSON.parse) into the same payload, so the
 * body can be stored as the payload without sending it twice: valid UTF-8 (else JSON.parse read U+FFFD), no `\u`
 * escape (the only way to a NUL or a lone surrogate, which jsonb refuses) and no long exponent. Conservative: a
 * false answer only means the parsed payload is sent beside the body.
 */
export function bodyIsStorableJson(body: Buffer): boolean {
  return body.indexOf('\\u') === -1 && isUtf8(body) && !LONG_EXPONENT.test(body.toString('latin1'));
}
