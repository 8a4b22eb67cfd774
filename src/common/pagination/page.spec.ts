import { InvalidRequestError } from '../errors/domain-errors';
import { decodeCursor, encodeCursor, toPage } from './page';

describe('keyset pages', () => {
  it('round-trips a cursor', () => {
    const position = { at: new Date('2026-01-02T03:04:05.678Z'), id: '0b9f4c2e-8f64-4b8a-9a61-0c3e3f0f5a11' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('rejects a cursor it did not make with a 400', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(InvalidRequestError);
  });

  it('uses the extra row only to decide whether there is a next page', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `00000000-0000-4000-8000-00000000000${n}`, at: new Date(n * 1000) }));
    const page = toPage(
      rows,
      2,
      (row) => row,
      (row) => row.id,
    );
    expect(page.data).toEqual([rows[0].id, rows[1].id]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ at: new Date(2000), id: rows[1].id });
    expect(
      toPage(
        rows,
        3,
        (row) => row,
        (row) => row.id,
      ).nextCursor,
    ).toBeNull();
  });
});
