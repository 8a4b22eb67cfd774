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
  const logger = createLogger(config.role, config.logLevel);
  await start(config, logger);
  process.once('beforeExit', () => void tracing.shutdown());
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    console.error(error.message);
  } else {
    console.error(`Hookgate failed to start: ${(error as Error)?.stack ?? String(error)}`);
  }
  process.exit(1);
});
