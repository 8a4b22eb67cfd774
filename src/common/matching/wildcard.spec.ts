import { matchesAny, matchesWildcard, wildcardToLike } from './wildcard';

describe('wildcards', () => {
  it('matches prefix, suffix and whole-string patterns', () => {
    expect(matchesWildcard('invoice.paid', 'invoice.*')).toBe(true);
    expect(matchesWildcard('invoiceXpaid', 'invoice.*')).toBe(false);
    expect(matchesWildcard('customer.created', '*.created')).toBe(true);
    expect(matchesWildcard('anything', '*')).toBe(true);
    expect(matchesWildcard('issues.opened', 'issues.opened')).toBe(true);
    expect(matchesWildcard('issues.opened.x', 'issues.opened')).toBe(false);
  });

  it('treats an absent list as match-all and an empty list as match-none', () => {
    expect(matchesAny('a', undefined)).toBe(true);
    expect(matchesAny('a', [])).toBe(false);
    expect(matchesAny('push', ['issues.*', 'push'])).toBe(true);
  });

  it('escapes LIKE metacharacters', () => {
    expect(wildcardToLike('a_b%c.*')).toBe('a\\_b\\%c.%');
  });
});
