import {
  applyDecorators,
  CallHandler,
  Controller,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { noticeOf } from '../console/console-http';
import { PortalSession } from '../management/portal-session.service';
import { PortalRoute } from '../management/require-scope.decorator';
import { applyPortalFraming } from './portal-framing';
import { PortalErrorFilter } from './portal-error.filter';
import { PortalContext, PortalPage } from './views/portal-layout';

/** The request of a portal route, as the guard leaves it. */
export type PortalRequest = Request & { portalSession: PortalSession };

/** Frames the answer for the session's application (the guard has found the session by now). */
@Injectable()
export class PortalFramingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Partial<PortalRequest>>();
    if (request.portalSession)
      applyPortalFraming(context.switchToHttp().getResponse<Response>(), request.portalSession);
    return next.handle();
  }
}

/**
 * A portal controller: the portal's session cookie and CSRF token (ApiKeyGuard), `read` access unless a route asks
 * for `manage`, framed for the application, errors as pages, not in the OpenAPI document.
 */
export const PortalController = (path: string) =>
  applyDecorators(
    ApiExcludeController(),
    Controller(path),
    PortalRoute('read'),
    UseFilters(PortalErrorFilter),
    UseInterceptors(PortalFramingInterceptor),
  );

export function portalContext(request: PortalRequest, active: PortalPage): PortalContext {
  return { session: request.portalSession, active, notice: noticeOf(request.query) };
}
