import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { registerSecret } from '../../observability/logging/redaction';

const PREFIX = 'enc:v1:';

interface Key {
  id: string;
  bytes: Buffer;
}

/** A short, non-secret name of a key, stored with each value it sealed so rotation knows which key opens it. */
function keyOf(base64: string): Key {
  const bytes = Buffer.from(base64, 'base64');
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

/**
 * Integration and endpoint secrets at rest: AES-256-GCM with SECRETS_ENCRYPTION_KEY, stored as
 * `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64). Values sealed with a key named in
 * SECRETS_ENCRYPTION_PREVIOUS_KEYS still open, so the key can be rotated; values stored in clear (before a key was
 * configured) open as they are until the boot re-seals them. Without a key (development), values stay in clear.
 */
@Injectable()
export class SecretBox {
  private readonly current?: Key;
  private readonly keys = new Map<string, Key>();

  constructor(config: AppConfig) {
    const { key, previousKeys } = config.secretsEncryption;
    for (const value of [key, ...previousKeys]) registerSecret(value);
    this.current = key ? keyOf(key) : undefined;
    for (const entry of [...(key ? [key] : []), ...previousKeys].map(keyOf)) this.keys.set(entry.id, entry);
  }

  get enabled(): boolean {
    return this.current !== undefined;
  }

  seal(plain: string): string {
    if (!this.current) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${sealed.toString('base64')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [keyId, iv, tag, sealed] = stored.slice(PREFIX.length).split(':');
    const key = this.keys.get(keyId);
    if (!key)
      throw new Error(
        `a secret is sealed with key ${keyId}, which is neither SECRETS_ENCRYPTION_KEY nor in SECRETS_ENCRYPTION_PREVIOUS_KEYS`,
      );
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }

  /** A nullable column's value, opened. */
  openOptional(stored: string | null): string | null {
    return stored === null ? null : this.open(stored);
  }

  /** A write's `secret` and `previousSecret`, sealed (the columns integrations and endpoints share). */
  sealFields<T extends { secret?: unknown; previousSecret?: unknown }>(data: T): T {
    const copy = { ...data };
    if (typeof copy.secret === 'string') copy.secret = this.seal(copy.secret);
    if (typeof copy.previousSecret === 'string') copy.previousSecret = this.seal(copy.previousSecret);
    return copy;
  }

  /** A row read back, with `secret` and `previousSecret` opened. */
  openFields<T extends { secret: string; previousSecret: string | null } | null>(row: T): T {
    return row && { ...row, secret: this.open(row.secret), previousSecret: this.openOptional(row.previousSecret) };
  }

  /** The sealed form of a row's secret columns when any is in clear or under an earlier key; null when all are current. */
  private resealed<R extends Record<F, string | null>, F extends keyof R>(
    row: R,
    fields: readonly F[],
  ): Pick<R, F> | null {
    if (fields.every((field) => row[field] === null || !this.needsResealing(row[field]))) return null;
    const sealed = {} as Pick<R, F>;
    for (const field of fields) {
      const value = row[field];
      sealed[field] = (value === null ? null : this.seal(this.open(value))) as R[F];
    }
    return sealed;
  }

  /**
   * Re-seals, through `write`, every row whose secret columns (`fields`; null is no secret) are in clear or under an
   * earlier key; returns how many rows changed.
   */
  async resealRows<R extends { id: string } & Record<F, string | null>, F extends keyof R>(
    rows: R[],
    fields: readonly F[],
    write: (id: string, sealed: Pick<R, F>) => Promise<unknown>,
  ): Promise<number> {
    let changed = 0;
    for (const row of rows) {
      const sealed = this.resealed(row, fields);
      if (!sealed) continue;
      await write(row.id, sealed);
      changed += 1;
    }
    return changed;
  }

  /** True when a stored value should be sealed again: in clear, or sealed with a key that is no longer current. */
  needsResealing(stored: string): boolean {
    return this.current !== undefined && !stored.startsWith(`${PREFIX}${this.current.id}:`);
  }
}
