import { createHmac } from 'node:crypto';
import { safeEqual, sameMac } from './adapter-kit';

describe('adapter kit comparisons', () => {
  const mac = createHmac('sha256', 'whsec_test').update('1700000000.{}').digest();

  it('sameMac accepts only the same bytes of the same length', () => {
    expect(sameMac(mac, Buffer.from(mac))).toBe(true);
    const flipped = Buffer.from(mac);
    flipped[31] ^= 1;
    expect(sameMac(mac, flipped)).toBe(false);
    expect(sameMac(mac, mac.subarray(0, 31))).toBe(false);
    expect(sameMac(mac, Buffer.concat([mac, Buffer.from([0])]))).toBe(false);
    expect(sameMac(mac, Buffer.alloc(0))).toBe(false);
  });

  it('safeEqual compares secrets of any length', () => {
    expect(safeEqual('token-a', 'token-a')).toBe(true);
    expect(safeEqual('token-a', 'token-b')).toBe(false);
    expect(safeEqual('token', 'token-a')).toBe(false);
  });
});
