import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { currentTraceId } from '../common/context/request-context';
import { buildErrorBody } from '../common/http/error-body';
import { JobQueue } from '../queue/job-queue.service';
import { presentedKey } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { CONSOLE_SESSION_COOKIE, ConsoleSessionService } from './console-session.service';

const BASE_PATH = '/admin/queues';

/**
 * Bull Board over every queue at /admin/queues, for global admin keys (or their console sessions) only (401/403 with
 * the contract's error body), and read-only: a job changed there would bypass the audit trail, so retries, removals and pauses go through the
 * management API (replays, redrives) instead; any write is 405.
 */
export function mountBullBoard(app: INestApplication): void {
  const keys = app.get(ApiKeyService);
  const sessions = app.get(ConsoleSessionService);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BASE_PATH);
  createBullBoard({
    queues: app
      .get(JobQueue)
      .allQueues()
      .map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter,
  });

  const requireAdmin = async (request: Request, response: Response, next: NextFunction) => {
    const key = presentedKey(request);
    const actor = key
      ? await keys.authenticate(key).catch(() => null)
      : (await sessions.find(parseCookies(request.headers.cookie ?? '')[CONSOLE_SESSION_COOKIE]).catch(() => null))
          ?.actor;
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    // Every application's jobs are on the board, so an application's key (or its session) may not see it.
    const status = !actor ? 401 : actor.scope !== 'admin' || actor.applicationId !== null ? 403 : write ? 405 : 0;
    if (!status) return next();
    const correlationId = String(response.getHeader('x-correlation-id') ?? randomUUID());
    response.setHeader('x-correlation-id', correlationId);
    const message = {
      401: 'An admin API key is required',
      403:
        actor?.scope === 'admin'
          ? "Bull Board shows every application's jobs: it needs a global admin key"
          : 'Bull Board needs the "admin" scope',
      405: 'Bull Board is read-only: use the management API (replays, redrives), which keeps the audit trail',
    }[status];
    response
      .status(status)
      .json(buildErrorBody(status, message, request.originalUrl.split('?')[0], correlationId, currentTraceId()));
  };
  app.use(BASE_PATH, requireAdmin, serverAdapter.getRouter());
}
