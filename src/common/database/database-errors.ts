/** Codes and messages of the connection failing or the server refusing (57P01-3 shutting down, 53300 full). */
const UNAVAILABLE_SIGNS = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|57P0[123]|53300/i,
  /P1001|P1002|P1017|P2024|P2028|DatabaseNotReachable/i,
  /Connection terminated|connection timeout|Can't reach database|timeout exceeded when trying to connect/i,
  /too many clients|Client has encountered a connection error/i,
];

/**
 * Errors of node-postgres or Prisma that mean "the database cannot serve this now" (unreachable, restarting, out of
 * connections, pool exhausted): the caller should answer 503 and the client retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const text = `${(error as { name?: string })?.name ?? ''} ${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return UNAVAILABLE_SIGNS.some((sign) => sign.test(text));
}
