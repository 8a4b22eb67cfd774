import { Environment, Role } from './environment';
import { parseDuration, parseDurationList } from './duration';

const DAY_MS = 86_400_000;

export type BuiltInProviderSlug = 'stripe' | 'github' | 'paypal' | 'acme' | 'globex';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is: REDIS_URL, the primary the sentinels name, or a Redis Cluster (with either of the last two, REDIS_URL
 * gives only credentials and TLS).
 */
export interface RedisSettings {
  url: string;
  prefix: string;
  sentinel?: { nodes: RedisNode[]; name: string; password?: string };
  cluster?: { nodes: RedisNode[] };
}

function redisNodes(list: string): RedisNode[] {
  return list.split(',').map((node) => {
    const [host, port] = node.trim().split(':');
    return { host, port: Number(port) };
  });
}

/**
 * The typed, validated configuration injected everywhere (inject the class itself: it is its own DI token).
 * Built once from the environment at boot; tests build it from a plain object.
 */
export class AppConfig {
  readonly role: Role;
  readonly nodeEnv: string;
  readonly port: number;
  readonly databaseUrl: string;
  /** DATABASE_READ_URL: where the read-only management queries go; unset, they go to DATABASE_URL. */
  readonly databaseReadUrl?: string;
  /** Connections of each database pool of the process (Prisma's and the hot paths'). */
  readonly databasePoolSize: number;
  /** DATABASE_PREPARED_STATEMENTS: the hot paths' statements are named (prepared once per connection). */
  readonly databasePreparedStatements: boolean;
  /** Old-generation growth factor for V8 in percent (0: V8's own); see HEAP_GROWING_PERCENT. */
  readonly heapGrowingPercent: number;
  /** SECRETS_ENCRYPTION_KEY and the earlier keys that still open what they sealed (base64, 32 bytes each). */
  readonly secretsEncryption: { key?: string; previousKeys: string[] };
  /** Which proxies' X-Forwarded-For names the source IP (proxy-addr syntax); empty: none. */
  readonly trustProxy: string[];
  readonly ingressRejectedPerIpPerMinute: number;
  readonly redis: RedisSettings;
  readonly adminApiKey?: string;
  readonly logLevel: string;
  /** Unset: decided by whether stdout is a terminal. */
  readonly logFormat?: 'json' | 'pretty';
  /** BullMQ job lock and stalled-job check interval of every worker in this process. */
  readonly worker: { lockDurationMs: number; stalledIntervalMs: number };
  /** Processing jobs (fan-outs) in flight per worker process. */
  readonly fanOutConcurrency: number;
  /** Fairness between endpoints: attempts in flight per endpoint, and the circuit breaker. */
  readonly endpointGate: { concurrency: number; breakerFailures: number; breakerCooldownMs: number };
  /** Secrets of the built-in integrations given in the environment (created or updated at boot). */
  readonly builtInSecrets: Partial<Record<BuiltInProviderSlug, string>>;
  readonly paypal: { certHosts: string[]; allowHttpLoopback: boolean; caFile?: string };
  readonly delivery: {
    retryScheduleMs: number[];
    timeoutMs: number;
    allowPrivateNetworks: boolean;
    concurrency: number;
    responseBodyMaxBytes: number;
  };
  readonly otel: { endpoint?: string; serviceName: string };
  readonly workerHealthPort?: number;
  /** The maintenance sweep: accepted events not yet handed to BullMQ, and anything stuck for `stuckAfterMs`. */
  readonly outbox: { relayIntervalMs: number; relayMinAgeMs: number; stuckAfterMs: number };
  readonly replay: { batchSize: number; retryDelayMs: number };
  readonly processing: { retryDelayMs: number };
  /** What the retention job purges once older than these, and how often it runs. */
  readonly retention: { rawAfterMs: number; eventsAfterMs: number; auditAfterMs: number; intervalMs: number };
  /** Operational events (§6.6): the window that aggregates an endpoint's dead-letter notices. */
  readonly operationalEvents: { deadLetterWindowMs: number };
  readonly health: { outboxMaxAgeSeconds: number; heapLimitBytes: number };
  readonly managementRateLimitPerMinute: number;
  /** The ops console: session lifetime, and Jaeger's UI for links to traces (unset: no links). */
  readonly console: { sessionTtlMs: number; jaegerUiUrl?: string };
  /** Where customers reach the gateway (portal links); unset: the address the link's creator called. */
  readonly publicUrl?: string;

  constructor(env: Environment) {
    this.role = env.APP_ROLE;
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.databaseUrl = env.DATABASE_URL;
    this.databaseReadUrl = env.DATABASE_READ_URL;
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    this.databasePreparedStatements = env.DATABASE_PREPARED_STATEMENTS;
    this.heapGrowingPercent = env.HEAP_GROWING_PERCENT;
    this.secretsEncryption = {
      key: env.SECRETS_ENCRYPTION_KEY,
      previousKeys: (env.SECRETS_ENCRYPTION_PREVIOUS_KEYS ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    };
    this.trustProxy = (env.TRUST_PROXY ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    this.ingressRejectedPerIpPerMinute = env.INGRESS_REJECTED_PER_IP_PER_MINUTE;
    this.redis = {
      url: env.REDIS_URL,
      prefix: env.HOOKGATE_REDIS_PREFIX,
      sentinel: env.REDIS_SENTINELS
        ? {
            nodes: redisNodes(env.REDIS_SENTINELS),
            name: env.REDIS_SENTINEL_NAME,
            password: env.REDIS_SENTINEL_PASSWORD,
          }
        : undefined,
      cluster: env.REDIS_CLUSTER_NODES ? { nodes: redisNodes(env.REDIS_CLUSTER_NODES) } : undefined,
    };
    this.adminApiKey = env.ADMIN_API_KEY;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT;
    this.fanOutConcurrency = env.FAN_OUT_CONCURRENCY;
    this.endpointGate = {
      concurrency: env.ENDPOINT_CONCURRENCY,
      breakerFailures: env.ENDPOINT_BREAKER_FAILURES,
      breakerCooldownMs: env.ENDPOINT_BREAKER_COOLDOWN_MS,
    };
    this.worker = { lockDurationMs: env.WORKER_LOCK_DURATION_MS, stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS };
    this.builtInSecrets = {
      stripe: env.STRIPE_WEBHOOK_SECRET,
      github: env.GITHUB_WEBHOOK_SECRET,
      paypal: env.PAYPAL_WEBHOOK_ID,
      acme: env.ACME_WEBHOOK_SECRET,
      globex: env.GLOBEX_WEBHOOK_TOKEN,
    };
    this.paypal = {
      certHosts: env.PAYPAL_CERT_HOSTS.split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
      allowHttpLoopback: env.PAYPAL_CERT_ALLOW_HTTP_LOOPBACK,
      caFile: env.PAYPAL_CERT_CA_FILE,
    };
    this.delivery = {
      retryScheduleMs: parseDurationList(env.DELIVERY_RETRY_SCHEDULE) ?? [],
      timeoutMs: env.DELIVERY_TIMEOUT_MS,
      allowPrivateNetworks: env.DELIVERY_ALLOW_PRIVATE_NETWORKS,
      concurrency: env.DELIVERY_CONCURRENCY,
      responseBodyMaxBytes: env.DELIVERY_RESPONSE_BODY_MAX_BYTES,
    };
    this.otel = { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME };
    this.workerHealthPort = env.WORKER_HEALTH_PORT;
    this.replay = { batchSize: env.REPLAY_BATCH_SIZE, retryDelayMs: env.REPLAY_RETRY_DELAY_MS };
    this.processing = { retryDelayMs: env.PROCESSING_RETRY_DELAY_MS };
    this.retention = {
      rawAfterMs: parseDuration(env.RETENTION_RAW_AFTER) ?? 7 * DAY_MS,
      eventsAfterMs: parseDuration(env.RETENTION_EVENTS_AFTER) ?? 30 * DAY_MS,
      auditAfterMs: parseDuration(env.RETENTION_AUDIT_AFTER) ?? 365 * DAY_MS,
      intervalMs: parseDuration(env.RETENTION_INTERVAL) ?? 3_600_000,
    };
    this.managementRateLimitPerMinute = env.MANAGEMENT_RATE_LIMIT_PER_MINUTE;
    this.console = {
      sessionTtlMs: parseDuration(env.CONSOLE_SESSION_TTL) ?? 12 * 3_600_000,
      jaegerUiUrl: env.JAEGER_UI_URL?.replace(/\/+$/, ''),
    };
    this.publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '');
    this.health = {
      outboxMaxAgeSeconds: env.HEALTH_OUTBOX_MAX_AGE_SECONDS,
      heapLimitBytes: env.HEALTH_HEAP_LIMIT_MB * 1024 * 1024,
    };
    this.operationalEvents = { deadLetterWindowMs: parseDuration(env.OPERATIONAL_DEAD_LETTER_WINDOW) ?? 60_000 };
    this.outbox = {
      relayIntervalMs: env.OUTBOX_RELAY_INTERVAL_MS,
      relayMinAgeMs: env.OUTBOX_RELAY_MIN_AGE_MS,
      stuckAfterMs: parseDuration(env.STUCK_EVENT_AFTER) ?? 600_000,
    };
  }

  get runsApi(): boolean {
    return this.role === 'api' || this.role === 'all';
  }

  get runsWorker(): boolean {
    return this.role === 'worker' || this.role === 'all';
  }
}
