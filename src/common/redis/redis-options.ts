import IORedis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisSettings } from '../../config/app-config';

/** A Redis client of the process: one server (REDIS_URL or Sentinel's primary) or a Redis Cluster. */
export type RedisClient = IORedis | Cluster;

function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace('/', '');
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * The connection options of a client of one server (the app's own and BullMQ's, which takes options, not URLs):
 * REDIS_URL's server, or with Sentinel the primary the sentinels name, found again after a failover.
 */
export function redisConnectionOptions(settings: Pick<RedisSettings, 'url' | 'sentinel'>): RedisOptions {
  const parsed = new URL(settings.url);
  const credentials = credentialsOf(settings.url);
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

/**
 * A Redis Cluster client (REDIS_CLUSTER_NODES): each command goes to the primary of its key's slot; a failover or a
 * resharding is followed by refreshing the slot map. `nodeOptions` apply to each node's connection.
 */
export function createClusterClient(
  settings: Pick<RedisSettings, 'url' | 'cluster'>,
  nodeOptions: RedisOptions,
  clusterOptions: ClusterOptions = {},
): Cluster {
  const { username, password, tls } = credentialsOf(settings.url);
  return new Cluster(settings.cluster!.nodes, {
    redisOptions: { username, password, tls, ...nodeOptions },
    // After a node is lost its replica takes over within the cluster's node timeout: commands wait and retry
    // rather than fail at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    ...clusterOptions,
  });
}

/**
 * Another connection like `client` with `overrides` (a subscriber, a blocking worker connection). A cluster client
 * takes its node options apart from its own.
 */
export function duplicateClient(
  client: RedisClient,
  overrides: RedisOptions & Pick<ClusterOptions, 'enableOfflineQueue'>,
): RedisClient {
  if (!(client instanceof Cluster)) return client.duplicate(overrides);
  const { enableOfflineQueue, ...nodeOptions } = overrides;
  return client.duplicate([], {
    enableOfflineQueue,
    redisOptions: { ...client.options.redisOptions, ...nodeOptions },
  });
}
