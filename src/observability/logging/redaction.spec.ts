import { redact, registerSecret } from './redaction';

describe('log redaction', () => {
  it('replaces secret-looking fields at any depth', () => {
    expect(
      redact({
        authorization: 'Bearer x',
        nested: { secret: 's', apiKey: 'k', 'webhook-signature': 'v1,abc', ok: 'fine' },
        flag: { enabled: true },
      }),
    ).toEqual({
      authorization: '[redacted]',
      nested: { secret: '[redacted]', apiKey: '[redacted]', 'webhook-signature': '[redacted]', ok: 'fine' },
      flag: { enabled: true },
    });
  });

  it('removes registered secret values and whsec_ secrets wherever they appear in text', () => {
    registerSecret('super-secret-value-123');
    expect(redact('failed with super-secret-value-123 inside')).toBe('failed with [redacted] inside');
    expect(redact({ message: 'key whsec_QUJDREVGRw== leaked' })).toEqual({ message: 'key [redacted] leaked' });
    expect(redact(new Error('boom super-secret-value-123'))).not.toContain('super-secret-value-123');
  });
});
