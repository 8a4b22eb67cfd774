import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';

/** The stylesheet and script sit beside this file (copied into dist by `npm run build`). */
const ASSETS_DIR = join(__dirname, 'assets');

/**
 * Everything the console and the portal load comes from the gateway itself; `frameAncestors` says who may frame the
 * page (nobody for the console, an application's allowed origins for its portal).
 */
export function contentSecurityPolicy(frameAncestors: string): string {
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

const CONTENT_SECURITY_POLICY = contentSecurityPolicy("'none'");

/** Security headers on every console answer, form parsing for its POSTs, and its two static assets. */
export function mountConsole(app: INestApplication): void {
  app.use('/console', (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'same-origin');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/console', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 10_500 }));
  app.use(
    '/console/assets',
    express.static(ASSETS_DIR, {
      fallthrough: false,
      maxAge: '1h',
      setHeaders: (response) => response.setHeader('Cache-Control', 'public, max-age=3600'),
    }),
  );
}
