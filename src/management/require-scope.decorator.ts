import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Actor, ApiKeyScope } from './api-key.types';
import type { PortalAccess } from './portal-session.service';

export const REQUIRED_SCOPE = 'hookgate:required-scope';

/**
 * Every route declares who may call it: `@RequireScope(scope)` (a management key of at least that scope) or
 * `@PublicRoute()` (health, metrics). A route that declares neither is refused (deny by default).
 */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** Marks a controller or route as open without a key (what an orchestrator or Prometheus scrapes). */
export const PublicRoute = () => SetMetadata(REQUIRED_SCOPE, PUBLIC);

export const PUBLIC = 'public';

export const APPLICATION_SCOPED = 'hookgate:application-scoped';

/**
 * Marks a controller or route as confining itself to the application of an application key (contract §7.1): its
 * lists show only that application's rows and its ids of other applications answer 404 (TenantContext). An
 * application key is refused (403) on every route not so marked: a route added without its check stays closed to them.
 */
export const ApplicationScoped = () => SetMetadata(APPLICATION_SCOPED, true);

/** A route of an ApplicationScoped controller that is for global keys only (application keys get 403). */
export const GlobalKeysOnly = () => SetMetadata(APPLICATION_SCOPED, false);

export const CONSOLE_ROUTE = 'hookgate:console-route';

/**
 * Marks the ops console's routes: they take a console session cookie instead of a key, and every state change
 * must carry the session's CSRF token (`_csrf` form field or `x-csrf-token` header). Scopes apply as everywhere.
 */
export const ConsoleRoute = () => SetMetadata(CONSOLE_ROUTE, true);

/** The authenticated management actor of the request (set by ApiKeyGuard). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<{ actor: Actor }>().actor;
});

export const PORTAL_ROUTE = 'hookgate:portal-route';

/**
 * Marks the customer portal's routes (contract §7.2): they take a portal session cookie, never a key, are confined to
 * the session's application, and need `manage` access where they change something; every state change must carry
 * the session's CSRF token. The portal's session is no way into the management API: those routes never read it.
 */
export const PortalRoute = (access: PortalAccess) => SetMetadata(PORTAL_ROUTE, access);
