/** What a rotated secret leaves behind: the previous one, valid until a moment. */
export interface RotatableSecret {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The secrets that sign (or verify) at `now`: the current one, and the previous one until its grace period ends. */
export function signingSecrets(holder: RotatableSecret, now: Date): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = holder;
  return previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > now
    ? [secret, previousSecret]
    : [secret];
}
