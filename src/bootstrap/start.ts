import { Server } from 'node:http';
import { INestApplicationContext, Logger, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app/app.module';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics/metrics.service';
import { mountConsole } from '../console/console-assets';
import { mountPortal } from '../portal/portal-framing';
import { mountBullBoard } from '../management/bull-board';
import { WorkerRunner } from '../queue/worker-runner';
import { limitHeapGrowth } from './heap-growth';
import { configureHttpApp } from './http-app';
import { mountOpenApi } from './openapi';
import { startWorkerHealthServer } from './worker-health-server';

export interface StartedApp {
  app: INestApplicationContext;
  /** Base URL of the HTTP listener (api/all roles). */
  url?: string;
  close(): Promise<void>;
}

/**
 * Shutdown in the order that loses nothing: BullMQ workers stop taking jobs and finish (and record) the ones in
 * hand while every client is still open; then Nest closes the HTTP server, the pools and the connections.
 */
async function stopWorkersThenClose(app: INestApplicationContext): Promise<void> {
  await app.get(WorkerRunner).stopAll();
  await app.close();
}

/**
 * Boots one process in its role: an HTTP application (api, all) or an application context without HTTP (worker).
 * `close()` stops the BullMQ workers (the jobs in hand finish), then runs Nest's shutdown hooks: the HTTP server
 * stops accepting, pools close. Signal handling is the caller's (main.ts), so tests can boot several apps in one process.
 */
export async function start(config: AppConfig, logger: LoggerService): Promise<StartedApp> {
  const log = new Logger('Bootstrap');
  limitHeapGrowth(config.heapGrowingPercent);
  const module = AppModule.forRole(config);

  if (config.runsApi) {
    const app = await NestFactory.create(module, { logger, bodyParser: false, abortOnError: false });
    configureHttpApp(app);
    mountConsole(app);
    mountPortal(app);
    mountOpenApi(app);
    mountBullBoard(app);
    await app.listen(config.port, '0.0.0.0');
    const address = (app.getHttpServer() as Server).address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
    log.log(`role ${config.role} listening on ${url}`);
    return { app, url, close: () => stopWorkersThenClose(app) };
  }

  const app = await NestFactory.createApplicationContext(module, { logger, abortOnError: false });
  const metrics = app.get(MetricsService);
  const healthServer = config.workerHealthPort
    ? await startWorkerHealthServer(app, config.workerHealthPort, () => metrics.render())
    : undefined;
  log.log(`role worker started${healthServer ? `; health on port ${config.workerHealthPort}` : ''}`);
  return {
    app,
    close: async () => {
      await new Promise<void>((resolve) => (healthServer ? healthServer.close(() => resolve()) : resolve()));
      await stopWorkersThenClose(app);
    },
  };
}
