import { visibleHeaders } from './event-views';

describe('raw request headers in GET /events/:id', () => {
  const headers = {
    'stripe-signature': 't=1,v1=abc',
    'x-hub-signature-256': 'sha256=abc',
    'x-hub-signature': 'sha1=abc',
    'paypal-transmission-sig': 'abc',
    'webhook-signature': 'v1,abc',
    'x-acme-signature': 'abc',
    'x-globex-token': 'secret',
    authorization: 'Bearer secret',
    'x-api-key': 'secret',
    cookie: 'a=b',
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'paypal-transmission-id': 'id-1',
    'paypal-cert-url': 'https://api.paypal.com/cert',
    'webhook-id': 'msg_1',
  };

  it('redacts every signature and credential for keys below admin, and nothing else', () => {
    const shown = visibleHeaders(headers, false);
    const redacted = Object.keys(shown).filter((name) => shown[name] === '[redacted]');
    expect(redacted.sort()).toEqual(
      [
        'stripe-signature',
        'x-hub-signature-256',
        'x-hub-signature',
        'paypal-transmission-sig',
        'webhook-signature',
        'x-acme-signature',
        'x-globex-token',
        'authorization',
        'x-api-key',
        'cookie',
      ].sort(),
    );
    expect(shown['paypal-transmission-id']).toBe('id-1');
  });

  it('shows everything to admin keys (contract §6.4)', () => {
    expect(visibleHeaders(headers, true)).toEqual(headers);
  });
});
