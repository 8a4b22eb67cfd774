import type { RedisOptions } from 'ioredis';
import type { RedisSettings } from '../../config/app-config';

/**
 * The connection options of every Redis client of the process (the app's own and BullMQ's, which takes options, not
 * URLs): REDIS_URL's server, or with Sentinel the primary the sentinels name, found again after a failover.
 */
export function redisConnectionOptions(settings: Pick<RedisSettings, 'url' | 'sentinel'>): RedisOptions {
  const parsed = new URL(settings.url);
  const db = parsed.pathname.replace('/', '');
  const credentials: RedisOptions = {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
  const { sentinel } = settings;
  if (!sentinel) return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : 6379, ...credentials };
  return {
    ...credentials,
    sentinels: sentinel.nodes,
    name: sentinel.name,
    sentinelPassword: sentinel.password,
    enableTLSForSentinelMode: parsed.protocol === 'rediss:',
    // Subscribes to the sentinels' +switch-master, so a failover moves the clients at once rather than at their
    // next failed command.
    failoverDetector: true,
  };
}
