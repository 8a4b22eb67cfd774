import { bodyHashKey, canonicalJson } from './canonical-json';

describe('fallback idempotency key', () => {
  it('ignores key order and whitespace at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(bodyHashKey(JSON.parse('{ "b": 1, "a": 2 }'))).toBe(bodyHashKey({ a: 2, b: 1 }));
  });

  it('differs when any value differs', () => {
    expect(bodyHashKey({ a: 1 })).not.toBe(bodyHashKey({ a: 2 }));
    expect(bodyHashKey([1, 2])).not.toBe(bodyHashKey([2, 1]));
    expect(bodyHashKey({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
