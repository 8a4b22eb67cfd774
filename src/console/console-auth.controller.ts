import { Body, Controller, Get, Header, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';
import { WindowCounter } from '../common/redis/window-counter';
import { AuditService } from '../audit/audit.service';
import { FAILED_AUTHENTICATIONS_PER_IP, WINDOW_MS } from '../management/api-key.guard';
import { ApiKeyService } from '../management/api-key.service';
import { CONSOLE_SESSION_COOKIE, ConsoleSessionService } from '../management/console-session.service';
import type { Actor } from '../management/api-key.types';
import { ApplicationScoped, ConsoleRoute, PublicRoute, RequireScope } from '../management/require-scope.decorator';
import { ConsoleErrorFilter } from './console-error.filter';
import { seeOther } from './console-http';
import { loginPage } from './views/layout';

const HTML = 'text/html; charset=utf-8';

/**
 * Sign-in with a management API key, sign-out. Failed sign-ins count against the same per-address budget as
 * failed API authentications (20 a minute), so the form is no way around it.
 */
@ApiExcludeController()
@Controller('console')
@UseFilters(ConsoleErrorFilter)
export class ConsoleAuthController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly sessions: ConsoleSessionService,
    private readonly counters: WindowCounter,
    private readonly audit: AuditService,
  ) {}

  @Get('login')
  @PublicRoute()
  @Header('content-type', HTML)
  form(): string {
    return loginPage();
  }

  @Post('login')
  @PublicRoute()
  async login(
    @Body() body: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const failures = ['auth-failures', request.ip ?? 'unknown'];
    const refuse = (status: number, message: string, retryAfterSeconds?: number) => {
      if (retryAfterSeconds) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
      response.status(status).type('html').send(loginPage(message));
    };
    const standing = this.counters.check(failures);
    if (standing.blocked)
      return refuse(429, 'Too many failed sign-ins from this address: wait a minute.', standing.retryAfterSeconds);
    const key = typeof body.apiKey === 'string' ? body.apiKey.trim() : '';
    const actor = key ? await this.keys.authenticate(key) : null;
    if (!actor) {
      const after = await this.counters.hit(failures, FAILED_AUTHENTICATIONS_PER_IP, WINDOW_MS);
      if (after.blocked)
        return refuse(429, 'Too many failed sign-ins from this address: wait a minute.', after.retryAfterSeconds);
      return refuse(401, 'That key is unknown or revoked.');
    }
    const { id } = await this.sessions.open(actor);
    await this.audit.record({
      actor: actor.name,
      action: 'console.signed_in',
      applicationId: actor.applicationId,
      subjectType: 'api_key',
      subjectId: actor.keyId,
    });
    response.cookie(CONSOLE_SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.secure,
      path: '/',
      maxAge: this.sessions.ttlMs,
    });
    seeOther(response, '/console');
  }

  @Post('logout')
  @ConsoleRoute()
  @RequireScope('read')
  @ApplicationScoped()
  async logout(@Req() request: Request & { actor: Actor }, @Res() response: Response): Promise<void> {
    await this.sessions.close(parseCookies(request.headers.cookie ?? '')[CONSOLE_SESSION_COOKIE]);
    await this.audit.record({
      actor: request.actor.name,
      action: 'console.signed_out',
      applicationId: request.actor.applicationId,
      subjectType: 'api_key',
      subjectId: request.actor.keyId,
    });
    response.clearCookie(CONSOLE_SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.secure,
      path: '/',
    });
    seeOther(response, '/console/login');
  }
}
