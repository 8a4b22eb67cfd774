import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { InvalidRequestError } from '../errors/domain-errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `limit` and opaque `cursor` of every list route; extend it with the route's filters. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** Every list answers `{data, nextCursor}`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset position: the sort key (a timestamp) and the id of the last row of a page. Pages continue strictly
 * after it, so rows inserted meanwhile neither shift nor repeat the walk (unlike offsets).
 */
export interface KeysetPosition {
  at: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ at: position.at.toISOString(), id: position.id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = typeof parsed.at === 'string' ? new Date(parsed.at) : undefined;
    if (!at || Number.isNaN(at.getTime()) || typeof parsed.id !== 'string' || !UUID.test(parsed.id))
      throw new Error('shape');
    return { at, id: parsed.id };
  } catch {
    throw new InvalidRequestError('cursor is not a cursor returned by this API');
  }
}

/**
 * Builds a page from rows fetched with `limit + 1` (the extra row only tells whether there is a next page).
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  position: (row: Row) => KeysetPosition,
  toItem: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(toItem), nextCursor: rows.length > limit && last ? encodeCursor(position(last)) : null };
}

/**
 * The Prisma `where` fragment for "strictly after `position`" in (field desc, id desc) order; empty without a
 * position. Spread it into a query's `where`.
 */
export function keysetAfter(field: string, position: KeysetPosition | undefined): { OR?: Record<string, unknown>[] } {
  return position ? { OR: [{ [field]: { lt: position.at } }, { [field]: position.at, id: { lt: position.id } }] } : {};
}
