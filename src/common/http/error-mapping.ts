import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailable } from '../database/database-errors';
import { DomainError } from '../errors/domain-errors';

/** An error as the HTTP answer it becomes. */
export interface MappedError {
  status: number;
  message: string;
  headers: Record<string, string>;
  /** Fields the error body carries beyond the contract's own. */
  details?: Record<string, unknown>;
}

/** Body-parser and similar middleware errors carry `status`/`type`. */
function fromMiddleware(error: { status?: number; type?: string; message?: string }): MappedError | undefined {
  if (error.type === 'entity.too.large')
    return { status: 413, message: 'Request body is larger than the limit', headers: {} };
  if (error.type === 'entity.parse.failed')
    return { status: 400, message: 'Request body is not valid JSON', headers: {} };
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return { status: error.status, message: error.message ?? 'Bad request', headers: {} };
  }
  return undefined;
}

function describeHttpException(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** How any error is answered: its status, a message safe to show, and headers such as Retry-After. */
export function mapException(exception: unknown): MappedError {
  if (exception instanceof DomainError) {
    return {
      status: exception.status,
      message: exception.message,
      headers: exception.headers,
      details: exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const headers: Record<string, string> = {};
    const retryAfter = (exception as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter) headers['Retry-After'] = String(retryAfter);
    return { status: exception.getStatus(), message: describeHttpException(exception), headers };
  }
  const fromParser = exception && typeof exception === 'object' ? fromMiddleware(exception) : undefined;
  if (fromParser) return fromParser;
  if (isDatabaseUnavailable(exception)) {
    return { status: 503, message: 'Storage is temporarily unavailable; retry later', headers: { 'Retry-After': '5' } };
  }
  return { status: 500, message: 'Internal server error', headers: {} };
}
