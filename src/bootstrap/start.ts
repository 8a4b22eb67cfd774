import { INestApplicationContext, Logger, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app/app.module';
import { AppConfig } from '../config/app-config';
import { configureHttpApp } from './http-app';
import { startWorkerHealthServer } from './worker-health-server';

/** After SIGTERM/SIGINT, give in-flight jobs and requests this long, then exit regardless. */
const SHUTDOWN_DEADLINE_MS = 30_000;

export interface StartedApp {
  app: INestApplicationContext;
  /** Base URL of the HTTP listener (api/all roles). */
  url?: string;
  close(): Promise<void>;
}

/** Boots one process in its role: an HTTP application (api, all) or an application context without HTTP (worker). */
export async function start(config: AppConfig, logger: LoggerService, options: { installSignalHandlers?: boolean } = {}): Promise<StartedApp> {
  const log = new Logger('Bootstrap');
  const module = AppModule.forRole(config);
  if (options.installSignalHandlers ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
    }
  }

  if (config.runsApi) {
    const app = await NestFactory.create(module, { logger, bodyParser: false, abortOnError: false });
    configureHttpApp(app);
    if (options.installSignalHandlers ?? true) app.enableShutdownHooks();
    await app.listen(config.port, '0.0.0.0');
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
    log.log(`role ${config.role} listening on ${url}`);
    return { app, url, close: () => app.close() };
  }

  const app = await NestFactory.createApplicationContext(module, { logger, abortOnError: false });
  if (options.installSignalHandlers ?? true) app.enableShutdownHooks();
  const healthServer = config.workerHealthPort ? await startWorkerHealthServer(app, config.workerHealthPort) : undefined;
  log.log(`role worker started${healthServer ? `; health on port ${config.workerHealthPort}` : ''}`);
  return {
    app,
    close: async () => {
      await new Promise<void>((resolve) => (healthServer ? healthServer.close(() => resolve()) : resolve()));
      await app.close();
    },
  };
}
