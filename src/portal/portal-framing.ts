import { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { PortalSession } from '../management/portal-session.service';

/** The console's policy (everything from the gateway itself), framed only by the origins given. */
export function portalContentSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
  ].join('; ');
}

/** Contract §7.2: the application's `portal.allowedOrigins` may embed its portal; nobody when it lists none. */
export function applyPortalFraming(response: Response, session: PortalSession): void {
  const origins = ((session.application.portal ?? {}) as { allowedOrigins?: string[] }).allowedOrigins ?? [];
  response.setHeader('Content-Security-Policy', portalContentSecurityPolicy(origins.join(' ') || "'none'"));
}

/**
 * Headers of every portal answer until a session names its application's origins: nothing frames it, no
 * `Referer` leaves it (the link's token must not travel), nothing is cached; and form parsing for its POSTs.
 */
export function mountPortal(app: INestApplication): void {
  app.use('/portal', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', portalContentSecurityPolicy("'none'"));
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/portal', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 1_000 }));
}
