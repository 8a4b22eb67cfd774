import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal payloads hash equally whatever their key order or spacing. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The idempotency key of a payload without a provider id. */
export function bodyHashKey(data: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(data)).digest('hex')}`;
}
