import { Controller, Get, Header, HttpCode, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { parse as parseCookies } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { PORTAL_SESSION_COOKIE, PortalSessionService } from '../management/portal-session.service';
import { PublicRoute } from '../management/require-scope.decorator';
import { PortalErrorFilter } from './portal-error.filter';
import { contentSecurityPolicy } from '../console/console-assets';
import { PortalLogoService } from './portal-logo.service';
import { PortalController, PortalRequest } from './portal-page';
import { brandingOf, portalSignedOutPage } from './views/portal-layout';

/**
 * The cookie of a portal session. Behind https it is `SameSite=None; Secure; Partitioned` so it is sent inside a
 * third-party iframe: browsers that block third-party cookies (Safari 18.4+, Chrome's incognito) still keep a
 * partitioned (CHIPS) one, stored for the embedding site only. On plain http it is `Lax`, since browsers refuse `None`
 * without `Secure`. Sent to /portal only.
 */
function sessionCookie(request: Request): CookieOptions {
  const secure = request.secure;
  return { httpOnly: true, secure, sameSite: secure ? 'none' : 'lax', partitioned: secure, path: '/portal' };
}

/** Opening a portal link: its token becomes a session cookie and leaves the address bar (contract §7.2). */
@ApiExcludeController()
@Controller('portal')
@UseFilters(PortalErrorFilter)
export class PortalEntryController {
  constructor(
    private readonly sessions: PortalSessionService,
    private readonly audit: AuditService,
  ) {}

  /** One use: a second, an expired or a forged token gets the sign-in-expired page with 401. */
  @Get('enter')
  @PublicRoute()
  async enter(@Query('token') token: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const opened = await this.sessions.redeem(typeof token === 'string' ? token : undefined);
    if (!opened) {
      response.setHeader('Content-Security-Policy', contentSecurityPolicy('*'));
      response
        .status(401)
        .type('html')
        .send(portalSignedOutPage('This link was used already, has expired, or is not a portal link.'));
      return;
    }
    await this.audit.record({
      actor: opened.session.actor.name,
      action: 'portal.session_opened',
      applicationId: opened.session.application.id,
      subjectType: 'application',
      subjectId: opened.session.application.id,
      details: { application: opened.session.application.uid, access: opened.session.access },
    });
    response.cookie(PORTAL_SESSION_COOKIE, opened.id, { ...sessionCookie(request), maxAge: this.sessions.ttlMs });
    response.redirect(303, '/portal');
  }
}

/** The session's own routes: sign-out, and the application's colour and logo, both served by the gateway. */
@PortalController('portal')
export class PortalSessionController {
  constructor(
    private readonly sessions: PortalSessionService,
    private readonly logos: PortalLogoService,
  ) {}

  @Post('sign-out')
  @HttpCode(200)
  async signOut(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    await this.sessions.close(parseCookies(request.headers.cookie ?? '')[PORTAL_SESSION_COOKIE]);
    response.clearCookie(PORTAL_SESSION_COOKIE, sessionCookie(request));
    response.type('html').send(portalSignedOutPage('You signed out of the portal.'));
  }

  /** `primaryColor` is validated as #rrggbb, so it can only ever be a colour here. */
  @Get('theme.css')
  @Header('content-type', 'text/css; charset=utf-8')
  theme(@Req() request: PortalRequest): string {
    const colour = brandingOf(request.portalSession).primaryColor;
    return colour && /^#[0-9a-fA-F]{6}$/.test(colour) ? `:root { --accent: ${colour}; }\n` : '';
  }

  @Get('logo')
  async logo(@Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const url = brandingOf(request.portalSession).logoUrl;
    const logo = url ? await this.logos.logo(url) : null;
    if (!logo) {
      response.status(404).end();
      return;
    }
    response.setHeader('Cache-Control', 'private, max-age=600');
    // An SVG logo is an image here, never a document that could run script.
    response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    response.type(logo.contentType).send(logo.body);
  }
}
