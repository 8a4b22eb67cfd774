/**
 * `column` in `statuses`, as a filter on rows a key already found, never as a way to find rows: compared as text, it
 * matches no index on the status (nor a partial index by status). The hot paths' statements are prepared once per
 * connection and keep a generic plan; with such an index usable, a running gateway's statistics (almost every row
 * finished) made that plan walk every open row on each call, however many were open by then: a backlog became
 * quadratic work exactly when the gateway was busiest. `statuses` are constants of the code, never input.
 */
export function statusIn(column: string, ...statuses: string[]): string {
  return `${column}::text IN (${statuses.map((status) => `'${status}'`).join(', ')})`;
}
