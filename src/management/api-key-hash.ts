import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'hg_';

/** Keys are 32 random bytes; storing SHA-256 is enough (they are not guessable passwords). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The first characters, safe to show in lists to tell keys apart. */
export function displayPrefix(key: string): string {
  return key.slice(0, 8);
}
