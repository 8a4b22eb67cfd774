import { applyDecorators, Controller, Header, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { ConsoleSession } from '../management/console-session.service';
import { ApplicationScoped, ConsoleRoute, RequireScope } from '../management/require-scope.decorator';
import { ConsoleErrorFilter } from './console-error.filter';
import { noticeOf } from './console-http';
import { ConsolePage, PageContext } from './views/layout';

/** The request of a console route, as the guard leaves it. */
export type ConsoleRequest = Request & { consoleSession: ConsoleSession };

/**
 * A console controller: session cookie and CSRF (ApiKeyGuard), read scope unless a route asks for more, errors
 * as pages, not in the OpenAPI document. Its pages show the session's application (an application key's, or the
 * one a global session picked) through the same TenantContext as the API, so every page is ApplicationScoped.
 */
export const ConsoleController = (path: string) =>
  applyDecorators(
    ApiExcludeController(),
    Controller(path),
    ConsoleRoute(),
    RequireScope('read'),
    ApplicationScoped(),
    UseFilters(ConsoleErrorFilter),
  );

/** A route that answers with a page. */
export const HtmlPage = () => Header('content-type', 'text/html; charset=utf-8');

export function pageContext(request: ConsoleRequest, active: ConsolePage): PageContext {
  return { session: request.consoleSession, active, notice: noticeOf(request.query) };
}

/** The query string without the console's own parameters, for the API's query DTOs. */
export function filtersOf(request: Request): Record<string, unknown> {
  const { notice, ...rest } = request.query as Record<string, unknown>;
  void notice;
  return rest;
}
