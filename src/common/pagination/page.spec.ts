import { InvalidRequestError } from '../errors/domain-errors';
import { decodeCursor, encodeCursor, toPage } from './page';

describe('keyset pages', () => {
  it('round-trips a cursor', () => {
    const position = { at: new Date('2026-01-02T03:04:05.678Z'), id: 'abc' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('rejects a cursor it did not make with a 400', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(InvalidRequestError);
  });

  it('uses the extra row only to decide whether there is a next page', () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n), at: new Date(n * 1000) }));
    const page = toPage(rows, 2, (row) => row, (row) => row.id);
    expect(page.data).toEqual(['1', '2']);
    expect(decodeCursor(page.nextCursor!)).toEqual({ at: new Date(2000), id: '2' });
    expect(toPage(rows, 3, (row) => row, (row) => row.id).nextCursor).toBeNull();
  });
});
