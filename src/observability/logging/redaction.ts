const SECRET_KEY = /secret|token|password|authorization|signature|api[-_]?key|cookie|^key$|^whsec/i;
const REDACTED = '[redacted]';
const MIN_SECRET_LENGTH = 6;

/** Known secret values (configured keys and secrets) that must never be printed, wherever they appear. */
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

function scrubString(text: string): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result.replace(/whsec_[A-Za-z0-9+/=]+/g, REDACTED);
}

/** Returns a copy of a log record with secret-looking fields and every registered secret value replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return scrubString(value.stack ?? value.message);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEY.test(key) && item !== null && item !== undefined && typeof item !== 'boolean'
        ? REDACTED
        : redact(item, depth + 1);
  }
  return copy;
}
