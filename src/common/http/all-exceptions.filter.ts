import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentCorrelationId, currentTraceId } from '../context/request-context';
import { isDatabaseUnavailable } from '../database/database-errors';
import { DomainError } from '../errors/domain-errors';
import { buildErrorBody } from './error-body';

interface Mapped {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/** Body-parser and similar middleware errors carry `status`/`type`. */
function fromMiddleware(error: { status?: number; type?: string; message?: string }): Mapped | undefined {
  if (error.type === 'entity.too.large') return { status: 413, message: 'Request body is larger than the limit', headers: {} };
  if (error.type === 'entity.parse.failed') return { status: 400, message: 'Request body is not valid JSON', headers: {} };
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

/** The one place an error becomes an HTTP answer: the contract's body plus `x-correlation-id`, never a stack. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const mapped = this.map(exception);

    const correlationId = currentCorrelationId() ?? (response.getHeader('x-correlation-id') as string | undefined) ?? randomUUID();
    if (mapped.status >= 500) {
      this.logger.error({ message: 'request failed', path: request.path, status: mapped.status, error: (exception as Error)?.stack ?? String(exception) });
    }
    if (response.headersSent) return;
    response.setHeader('x-correlation-id', correlationId);
    for (const [name, value] of Object.entries(mapped.headers)) response.setHeader(name, value);
    response
      .status(mapped.status)
      .json(buildErrorBody(mapped.status, mapped.message, request.originalUrl?.split('?')[0] ?? request.path, correlationId, currentTraceId()));
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof DomainError) {
      return { status: exception.status, message: exception.message, headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const headers: Record<string, string> = {};
      const retryAfter = (exception as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter) headers['Retry-After'] = String(retryAfter);
      return { status: exception.getStatus(), message: describeHttpException(exception), headers };
    }
    const fromParser = exception && typeof exception === 'object' ? fromMiddleware(exception as never) : undefined;
    if (fromParser) return fromParser;
    if (isDatabaseUnavailable(exception)) {
      return { status: 503, message: 'Storage is temporarily unavailable; retry later', headers: { 'Retry-After': '5' } };
    }
    return { status: 500, message: 'Internal server error', headers: {} };
  }
}
