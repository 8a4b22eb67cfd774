import { assertAllowedLiteral, guardedLookup, isForbiddenAddress, RefusedAddressError } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])('refuses %s', (address) => expect(isForbiddenAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('allows the public address %s', (address) =>
    expect(isForbiddenAddress(address)).toBe(false),
  );

  it('refuses IP literals in URLs, which never go through DNS', () => {
    expect(() => assertAllowedLiteral('[::1]')).toThrow(RefusedAddressError);
    expect(() => assertAllowedLiteral('169.254.169.254')).toThrow(RefusedAddressError);
    expect(() => assertAllowedLiteral('example.com')).not.toThrow();
  });

  it('refuses a name that resolves to loopback at lookup time', (done) => {
    guardedLookup('localhost', {}, (error) => {
      expect(error).toBeInstanceOf(RefusedAddressError);
      done();
    });
  });
});
