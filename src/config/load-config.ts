import { StartupError } from '../common/errors/startup-error';
import { AppConfig } from './app-config';
import { validateEnvironment } from './environment';

/** Validates the environment once; every problem is listed in one StartupError. */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const { env, problems } = validateEnvironment(raw);
  if (!env) {
    throw new StartupError(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      'Set the variables named above (see the README, "Configuration").',
    );
  }
  return new AppConfig(env);
}
