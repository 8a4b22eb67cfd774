import { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { contentSecurityPolicy } from '../console/console-assets';
import { PortalSession } from '../management/portal-session.service';

/** Contract §7.2: the application's `portal.allowedOrigins` may embed its portal; nobody when it lists none. */
export function applyPortalFraming(response: Response, session: PortalSession): void {
  const origins = ((session.application.portal ?? {}) as { allowedOrigins?: string[] }).allowedOrigins ?? [];
  response.setHeader('Content-Security-Policy', contentSecurityPolicy(origins.join(' ') || "'none'"));
}

/**
 * Headers of every portal answer until a session names its application's origins: nothing frames it, no
 * `Referer` leaves it (the link's token must not travel), nothing is cached; and form parsing for its POSTs.
 */
export function mountPortal(app: INestApplication): void {
  app.use('/portal', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', contentSecurityPolicy("'none'"));
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/portal', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 1_000 }));
}
