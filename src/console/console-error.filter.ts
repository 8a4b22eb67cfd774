import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapException } from '../common/http/error-mapping';
import { errorPage } from './views/layout';

/**
 * Errors of console pages as pages, not JSON: a missing session sends a browser to the sign-in page; a refusal
 * (403), bad input (400) or anything else is shown with its status and message.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request & { actor?: unknown }>();
    const response = host.switchToHttp().getResponse<Response>();
    const mapped = mapException(exception);
    if (mapped.status >= 500)
      this.logger.error({
        message: 'console request failed',
        path: request.path,
        error: (exception as Error)?.stack ?? String(exception),
      });
    if (response.headersSent) return;
    if (mapped.status === 401 && request.method === 'GET') return response.redirect(303, '/console/login');
    for (const [name, value] of Object.entries(mapped.headers)) response.setHeader(name, value);
    response
      .status(mapped.status)
      .type('html')
      .send(errorPage(mapped.status, mapped.message, Boolean(request.actor)));
  }
}
