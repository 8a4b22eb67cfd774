import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { requestLogger } from '../observability/logging/request-logger';

/** Hard cap on any webhook body before the per-integration limit (checked by ingress, 413) applies. */
export const WEBHOOK_BODY_HARD_LIMIT = '16mb';

/**
 * Body handling: webhooks keep their raw bytes (verified and stored as received, whatever the content type);
 * the management API parses JSON.
 */
export function configureHttpApp(app: INestApplication): void {
  const expressApp = app as NestExpressApplication;
  expressApp.set('trust proxy', 'loopback, linklocal, uniquelocal');
  expressApp.disable('x-powered-by');
  expressApp.use(requestLogger);
  expressApp.use('/webhooks', express.raw({ type: () => true, limit: WEBHOOK_BODY_HARD_LIMIT }));
  expressApp.use(express.json({ limit: '1mb' }));
}
