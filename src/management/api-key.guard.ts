import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { parse as parseCookies } from 'cookie';
import type { Request } from 'express';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../common/errors/domain-errors';
import { WindowCounter } from '../common/redis/window-counter';
import { AppConfig } from '../config/app-config';
import { ApiKeyService } from './api-key.service';
import { ApiKeyScope, scopeAllows } from './api-key.types';
import { CONSOLE_SESSION_COOKIE, ConsoleSession, ConsoleSessionService } from './console-session.service';
import { Actor } from './api-key.types';
import { APPLICATION_SCOPED, CONSOLE_ROUTE, PORTAL_ROUTE, PUBLIC, REQUIRED_SCOPE } from './require-scope.decorator';
import { PORTAL_SESSION_COOKIE, PortalAccess, PortalSession, PortalSessionService } from './portal-session.service';
import { TenantContext } from '../common/tenancy/tenant-context';

/** Reads `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedKey(request: Request): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

export const WINDOW_MS = 60_000;
/** Failed authentications one source IP may make per minute before it gets 429 (contract §6.4). */
export const FAILED_AUTHENTICATIONS_PER_IP = 20;

/**
 * Global guard: routes marked with @RequireScope need a valid key (401) of a sufficient scope (403), within the
 * key's request budget (429); more than 20 failed authentications a minute from one address are 429 too. Both
 * are WindowCounters, shared by every api process and failing open without Redis.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly config: AppConfig,
    private readonly counters: WindowCounter,
    private readonly sessions: ConsoleSessionService,
    private readonly tenant: TenantContext,
    private readonly portalSessions: PortalSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const portalAccess = this.reflector.getAllAndOverride<PortalAccess | undefined>(PORTAL_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (portalAccess) return this.admitToPortal(context, portalAccess);
    const required = this.reflector.getAllAndOverride<ApiKeyScope | typeof PUBLIC | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === PUBLIC) return true;
    if (!required) throw new ForbiddenError('This route declares no access rule, so it is refused');
    const request = context.switchToHttp().getRequest<Request & { actor?: Actor; consoleSession?: ConsoleSession }>();
    if (this.reflector.getAllAndOverride<boolean>(CONSOLE_ROUTE, [context.getHandler(), context.getClass()])) {
      const session = await this.consoleSession(request);
      if (!scopeAllows(session.actor.scope, required))
        throw new ForbiddenError(
          `This action needs the "${required}" scope; you are signed in with "${session.actor.scope}"`,
        );
      this.confine(context, session.actor, session.application?.id ?? null);
      request.actor = session.actor;
      request.consoleSession = session;
      return true;
    }
    const failures = ['auth-failures', request.ip ?? 'unknown'];
    const standing = this.counters.check(failures);
    if (standing.blocked) throw this.tooManyFailures(standing.retryAfterSeconds);
    const key = presentedKey(request);
    const actor = key ? await this.keys.authenticate(key) : null;
    if (!actor) {
      const after = await this.counters.hit(failures, FAILED_AUTHENTICATIONS_PER_IP, WINDOW_MS);
      if (after.blocked) throw this.tooManyFailures(after.retryAfterSeconds);
      throw new UnauthorizedError(
        key ? 'Invalid API key' : 'Missing API key: send Authorization: Bearer <key> or x-api-key',
      );
    }
    if (!scopeAllows(actor.scope, required))
      throw new ForbiddenError(`This route needs the "${required}" scope; the key has "${actor.scope}"`);
    this.confine(context, actor);
    await this.checkBudget(actor.keyId);
    request.actor = actor;
    return true;
  }

  /**
   * An application key reaches only the routes that confine themselves to its application (ApplicationScoped). A
   * global key's request sees every application, or the one its console session picked (`picked`).
   */
  private confine(context: ExecutionContext, actor: Actor, picked: string | null = null): void {
    if (actor.applicationId === null) return this.tenant.confine(picked);
    if (!this.reflector.getAllAndOverride<boolean>(APPLICATION_SCOPED, [context.getHandler(), context.getClass()]))
      throw new ForbiddenError('This route is for global keys; an application key cannot use it');
    this.tenant.confine(actor.applicationId);
  }

  /** The console session of the cookie (401 without one); a state change without its CSRF token is 403. */
  private async consoleSession(request: Request): Promise<ConsoleSession> {
    const session = await this.sessions.find(parseCookies(request.headers.cookie ?? '')[CONSOLE_SESSION_COOKIE]);
    if (!session) throw new UnauthorizedError('Sign in to the console');
    this.checkCsrf(request, session);
    return session;
  }

  /** A portal route: its session (401), its CSRF token (403), `manage` where it changes something (403). */
  private async admitToPortal(context: ExecutionContext, access: PortalAccess): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { actor?: Actor; portalSession?: PortalSession }>();
    const session = await this.portalSessions.find(parseCookies(request.headers.cookie ?? '')[PORTAL_SESSION_COOKIE]);
    if (!session) throw new UnauthorizedError('This portal session has ended: open a new link from your provider');
    request.portalSession = session;
    this.checkCsrf(request, session);
    if (access === 'manage' && session.access !== 'manage')
      throw new ForbiddenError('This portal session may look but not change anything');
    this.tenant.confine(session.application.id);
    request.actor = session.actor;
    return true;
  }

  private checkCsrf(request: Request, session: { csrfToken: string }): void {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const presented = (request.body as Record<string, unknown> | undefined)?._csrf ?? request.headers['x-csrf-token'];
    if (!ConsoleSessionService.csrfMatches(session, presented))
      throw new ForbiddenError('Missing or wrong CSRF token: reload the page and try again');
  }

  private tooManyFailures(retryAfterSeconds: number): RateLimitedError {
    return new RateLimitedError(
      `More than ${FAILED_AUTHENTICATIONS_PER_IP} failed authentications per minute from this address`,
      retryAfterSeconds,
    );
  }

  private async checkBudget(keyId: string): Promise<void> {
    const limit = this.config.managementRateLimitPerMinute;
    const standing = await this.counters.hit(['mgmt-ratelimit', keyId], limit, WINDOW_MS);
    if (standing.blocked)
      throw new RateLimitedError(
        `More than ${limit} management requests per minute with this key`,
        standing.retryAfterSeconds,
      );
  }
}
