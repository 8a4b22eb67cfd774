import { SHUTDOWN_DEADLINE_MS } from './bootstrap/shutdown-deadline';
import { StartupError } from './common/errors/startup-error';
import { loadConfig } from './config/load-config';
import { startTracing } from './observability/tracing/tracing';

/** Picks the role (APP_ROLE, or the first CLI argument) and starts it. Tracing starts before Nest is loaded. */
async function main(): Promise<void> {
  const roleArgument = process.argv[2];
  const config = loadConfig(roleArgument ? { ...process.env, APP_ROLE: roleArgument } : process.env);
  const tracing = startTracing(config);
  const { createLogger } = await import('./observability/logging/logger.factory');
  const { start } = await import('./bootstrap/start');
  const logger = createLogger(config.role, config.logLevel, {
    format: config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  });
  const started = await start(config, logger);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining (at most ${SHUTDOWN_DEADLINE_MS / 1000} s)`, 'Shutdown');
      setTimeout(() => {
        logger.error('shutdown deadline passed: exiting with work still in hand', undefined, 'Shutdown');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      started
        .close()
        .then(() => tracing.shutdown())
        .then(
          () => process.exit(0),
          (error: Error) => {
            logger.error(`shutdown failed: ${error.message}`, error.stack, 'Shutdown');
            process.exit(1);
          },
        );
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error(`Hookgate failed to start: ${(error as Error)?.stack ?? String(error)}`);
  }
  process.exit(1);
});
