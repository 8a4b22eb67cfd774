/** `*` matches any run of characters (`invoice.*`, `*.created`, `*`); everything else is literal. */
export function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export function matchesWildcard(value: string, pattern: string): boolean {
  return wildcardToRegExp(pattern).test(value);
}

/** An absent list matches everything; a present one needs one matching pattern. */
export function matchesAny(value: string, patterns: readonly string[] | undefined | null): boolean {
  return !patterns || patterns.some((pattern) => matchesWildcard(value, pattern));
}

/** The pattern as a SQL LIKE expression (`*` → `%`, LIKE's own wildcards escaped), for filtering in PostgreSQL. */
export function wildcardToLike(pattern: string): string {
  return pattern.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%');
}
