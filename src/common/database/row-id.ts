import { v7 } from 'uuid';

/**
 * A new id for a row the hot paths write (events, their raw requests): UUIDv7, whose first 48 bits are the time in
 * milliseconds. Consecutive rows then land at the right edge of each index that starts with the id, where the previous
 * batch left its pages, instead of on a random leaf (see migration `20261203100000_time_ordered_ids`; SQL makes the
 * other rows' ids with `hookgate_uuid_v7()`). `uuid` stays on 11, its last line with a CommonJS build: 12 is ESM-only,
 * which Jest on Node 20 cannot load (the reason NestJS stays on 11).
 */
export const newRowId = (): string => v7();
