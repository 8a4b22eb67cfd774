import { STATUS_CODES } from 'node:http';

/** The contract's error body, identical for every route. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  path: string;
  timestamp: string;
  correlationId: string;
  traceId: string | null;
}

export function buildErrorBody(
  status: number,
  message: string,
  path: string,
  correlationId: string,
  traceId: string | null,
  details: Record<string, unknown> = {},
): ErrorBody {
  return {
    ...details,
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    path,
    timestamp: new Date().toISOString(),
    correlationId,
    traceId,
  };
}
