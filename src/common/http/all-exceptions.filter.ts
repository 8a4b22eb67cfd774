import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentCorrelationId, currentTraceId } from '../context/request-context';
import { buildErrorBody } from './error-body';
import { mapException } from './error-mapping';

/** Errors of the Nest routes as the contract's body plus `x-correlation-id`, never a stack (webhooks: WebhookHttpHandler). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const mapped = mapException(exception);

    const correlationId =
      currentCorrelationId() ?? (response.getHeader('x-correlation-id') as string | undefined) ?? randomUUID();
    if (mapped.status >= 500) {
      this.logger.error({
        message: 'request failed',
        path: request.path,
        status: mapped.status,
        error: (exception as Error)?.stack ?? String(exception),
      });
    }
    if (response.headersSent) return;
    response.setHeader('x-correlation-id', correlationId);
    for (const [name, value] of Object.entries(mapped.headers)) response.setHeader(name, value);
    response
      .status(mapped.status)
      .json(
        buildErrorBody(
          mapped.status,
          mapped.message,
          request.originalUrl?.split('?')[0] ?? request.path,
          correlationId,
          currentTraceId(),
          mapped.details,
        ),
      );
  }
}
