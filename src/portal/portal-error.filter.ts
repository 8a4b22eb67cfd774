import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapException } from '../common/http/error-mapping';
import { PortalSession } from '../management/portal-session.service';
import { contentSecurityPolicy } from '../console/console-assets';
import { applyPortalFraming } from './portal-framing';
import { portalErrorPage, portalSignedOutPage } from './views/portal-layout';

/**
 * Errors of portal pages as pages: an ended session (401) gets the sign-in-expired page, which holds nothing and
 * may be shown in any frame, so the embedding page tells its customer what happened; the rest show status and
 * message, framed like the session's pages.
 */
@Catch()
export class PortalErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Portal');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request & { portalSession?: PortalSession }>();
    const response = host.switchToHttp().getResponse<Response>();
    const mapped = mapException(exception);
    if (mapped.status >= 500)
      this.logger.error({
        message: 'portal request failed',
        path: request.path,
        error: (exception as Error)?.stack ?? String(exception),
      });
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(mapped.headers)) response.setHeader(name, value);
    if (mapped.status === 401) {
      response.setHeader('Content-Security-Policy', contentSecurityPolicy('*'));
      response.status(401).type('html').send(portalSignedOutPage(mapped.message));
      return;
    }
    if (request.portalSession) applyPortalFraming(response, request.portalSession);
    response.status(mapped.status).type('html').send(portalErrorPage(mapped.status, mapped.message));
  }
}
