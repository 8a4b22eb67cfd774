import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { proxyTrust } from '../common/http/source-ip';
import { AppConfig } from '../config/app-config';
import { WebhookHttpHandler } from '../ingress/webhook-http-handler';
import { requestLogger } from '../observability/logging/request-logger';

/**
 * Webhooks (POST /webhooks/:integration) are served by WebhookHttpHandler straight from the HTTP server, reading
 * their raw bytes within the integration's limit; Express and Nest serve everything else, parsing JSON.
 */
export function configureHttpApp(app: INestApplication): void {
  const expressApp = app as NestExpressApplication;
  expressApp.set('trust proxy', proxyTrust(app.get(AppConfig).trustProxy));
  expressApp.disable('x-powered-by');
  expressApp.use(requestLogger);
  expressApp.use(express.json({ limit: '1mb' }));

  const webhooks = app.get(WebhookHttpHandler);
  const server = app.getHttpServer() as Server;
  const [expressListener] = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const target = webhooks.targetOf(request);
    if (target === undefined) expressListener(request, response);
    else void webhooks.handle(request, response, target);
  });
}
