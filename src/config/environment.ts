import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { parseDuration, parseDurationList } from './duration';

const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : value === 'true' || value === '1'
      ? true
      : value === 'false' || value === '0'
        ? false
        : value;
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export const ROLES = ['api', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

/** The process environment as the contract names it; validated once at boot. */
export class Environment {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgresql:// connection string' })
  DATABASE_URL: string;

  /**
   * A streaming replica of DATABASE_URL's database: the management API's read-only searches and lists (events,
   * deliveries, dead letters, the audit trail, and the console's and portal's pages of them) are read there.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_READ_URL must be a postgresql:// connection string' })
  DATABASE_READ_URL?: string;

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @IsIn(ROLES)
  APP_ROLE: Role = 'all';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() STRIPE_WEBHOOK_SECRET?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() GITHUB_WEBHOOK_SECRET?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() PAYPAL_WEBHOOK_ID?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() ACME_WEBHOOK_SECRET?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() GLOBEX_WEBHOOK_TOKEN?: string;

  @IsOptional()
  @IsString()
  PAYPAL_CERT_HOSTS: string = 'api.paypal.com,api-m.paypal.com,api.sandbox.paypal.com,api-m.sandbox.paypal.com';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  PAYPAL_CERT_ALLOW_HTTP_LOOPBACK: boolean = false;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  PAYPAL_CERT_CA_FILE?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DELIVERY_ALLOW_PRIVATE_NETWORKS: boolean = false;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' },
  )
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME: string = 'hookgate';

  @IsOptional()
  @IsIn(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
  LOG_LEVEL: string = 'info';

  /** `json` or `pretty`; unset: pretty when stdout is a terminal, JSON otherwise. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** An accepted event not fanned out after this long (or an open delivery with no attempt due for this long) is handed over again. */
  @IsOptional()
  @IsString()
  STUCK_EVENT_AFTER: string = '10m';

  /** Retention (worker): raw requests, finished events (with deliveries and attempts), audit entries; and how often it runs. */
  @IsOptional()
  @IsString()
  RETENTION_RAW_AFTER: string = '7d';

  @IsOptional()
  @IsString()
  RETENTION_EVENTS_AFTER: string = '30d';

  @IsOptional()
  @IsString()
  RETENTION_AUDIT_AFTER: string = '365d';

  @IsOptional()
  @IsString()
  RETENTION_INTERVAL: string = '1h';

  /** Lifetime of an ops console session (contract §6.5). */
  @IsOptional()
  @IsString()
  CONSOLE_SESSION_TTL: string = '12h';

  /** Jaeger's UI, e.g. http://localhost:16686: the console links each event to its trace there. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'JAEGER_UI_URL must be an http(s) URL' })
  JAEGER_UI_URL?: string;

  /** Where customers reach this gateway, e.g. https://hooks.example.com: portal links start with it (§7.2). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** Dead letters of one endpoint within this window make one `hookgate.delivery.dead_lettered` event, with the count. */
  @IsOptional()
  @IsString()
  OPERATIONAL_DEAD_LETTER_WINDOW: string = '1m';

  @IsOptional()
  @IsString()
  DELIVERY_RETRY_SCHEDULE: string = '5s,5m,30m,2h,5h,10h,10h';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300_000)
  DELIVERY_TIMEOUT_MS: number = 15_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HEALTH_PORT?: number;

  // Not in the contract's table: tuning knobs with safe defaults.
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DELIVERY_CONCURRENCY: number = 20;

  /** 32 bytes, base64: integration and endpoint secrets are stored encrypted with it (AES-256-GCM); required in production. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  SECRETS_ENCRYPTION_KEY?: string;

  /** Earlier values of SECRETS_ENCRYPTION_KEY (comma-separated), still able to open what they sealed while the boot re-seals it. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  SECRETS_ENCRYPTION_PREVIOUS_KEYS?: string;

  /**
   * Proxies whose X-Forwarded-For is believed (comma-separated addresses, CIDRs or loopback/linklocal/uniquelocal);
   * unset: none, the peer address is the source.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  TRUST_PROXY?: string;

  /** Webhooks refused by verification per source IP per minute before that IP gets 429. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  INGRESS_REJECTED_PER_IP_PER_MINUTE: number = 300;

  /**
   * Whether the hot paths prepare their statements once per connection (named statements). `false` for a pooler
   * that cannot keep them: PgBouncer in transaction mode before 1.21, or with max_prepared_statements at 0.
   */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS: boolean = true;

  /** Connections per pool (Prisma's, and the hot paths' node-postgres pool) in each process. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number = 10;

  /**
   * How far V8 lets the old generation grow past what survived its last full collection, in percent; 0 leaves it to
   * V8 (which grows it up to 4× while collections are cheap). Webhooks leave much short-lived garbage behind, and
   * V8's own choice let a busy api sit on 300 MB of it; 50 keeps it near 200 MB. 25 kept it near 190 MB but its
   * more frequent full collections cost ingest about a tenth of its throughput and 5 ms of p99 (npm run bench).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  HEAP_GROWING_PERCENT: number = 50;

  /** Delivery attempts in flight per endpoint across every worker; the rest wait without using attempts. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  ENDPOINT_CONCURRENCY: number = 10;

  /** Failed attempts in a row that pause an endpoint (circuit breaker), and how long until a probe. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  ENDPOINT_BREAKER_FAILURES: number = 5;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  ENDPOINT_BREAKER_COOLDOWN_MS: number = 30_000;

  /** Processing jobs (fan-outs) in flight per worker process. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  FAN_OUT_CONCURRENCY: number = 10;

  /** BullMQ job lock and stalled-job check: a crashed worker's jobs run again after about lock + interval. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  WORKER_LOCK_DURATION_MS: number = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  WORKER_STALLED_INTERVAL_MS: number = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  DELIVERY_RESPONSE_BODY_MAX_BYTES: number = 4096;

  /**
   * Namespace for every Redis key (BullMQ queues, rate limits, endpoint gates); lets several deployments or test files
   * share one Redis. In a Redis Cluster each queue gets a hash tag of its own under it; a prefix with braces of its
   * own (`{hookgate}`) puts every key in that one slot instead.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_:{}-]{1,64}$/, {
    message: 'HOOKGATE_REDIS_PREFIX must be 1-64 characters of A-Z a-z 0-9 _ : - { }',
  })
  HOOKGATE_REDIS_PREFIX: string = 'hookgate';

  /**
   * Redis Sentinel: `host:port` of each sentinel, comma-separated. Every Redis client then asks them for the current
   * primary of REDIS_SENTINEL_NAME (and again after a failover); REDIS_URL still gives the user, password, database
   * and TLS of the Redis servers, its host and port are not used.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_SENTINELS must be host:port[,host:port...]',
  })
  REDIS_SENTINELS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'REDIS_SENTINEL_NAME must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  REDIS_SENTINEL_NAME: string = 'mymaster';

  /**
   * Redis Cluster: `host:port` of some of its nodes (any of them; the rest are discovered), comma-separated. Every
   * Redis client is then a cluster client; REDIS_URL still gives the user, password and TLS (the database must be 0).
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, {
    message: 'REDIS_CLUSTER_NODES must be host:port[,host:port...]',
  })
  REDIS_CLUSTER_NODES?: string;

  /** The sentinels' own password (`requirepass` in sentinel.conf), when they have one. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** How often the worker looks for outbox rows that never reached BullMQ, and how old such a row must be. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  OUTBOX_RELAY_INTERVAL_MS: number = 2_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  OUTBOX_RELAY_MIN_AGE_MS: number = 5_000;

  /** First retry delay of a fan-out (processing) job and of a replay job; each later retry waits twice as long. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600_000)
  PROCESSING_RETRY_DELAY_MS: number = 1_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600_000)
  REPLAY_RETRY_DELAY_MS: number = 2_000;

  /** Events (or dead letters) a replay enqueues per batch. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  REPLAY_BATCH_SIZE: number = 500;

  /** Readiness fails when an accepted webhook has waited longer than this for BullMQ (Redis or workers down). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(86_400)
  HEALTH_OUTBOX_MAX_AGE_SECONDS: number = 120;

  /** Readiness fails above this V8 heap size. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(65_536)
  HEALTH_HEAP_LIMIT_MB: number = 1_536;

  /** Management API requests per minute per key before 429. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MANAGEMENT_RATE_LIMIT_PER_MINUTE: number = 1_200;

  @IsOptional()
  @IsString()
  NODE_ENV: string = 'development';
}

/** Validates the environment and returns it, or every problem found, each naming its variable. */
export function validateEnvironment(raw: Record<string, string | undefined>): {
  env?: Environment;
  problems: string[];
} {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const problems = validateSync(env, { whitelist: false, forbidUnknownValues: false }).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
  );
  if (env.DELIVERY_RETRY_SCHEDULE !== undefined && parseDurationList(env.DELIVERY_RETRY_SCHEDULE) === null) {
    problems.push(
      'DELIVERY_RETRY_SCHEDULE must be a comma-separated list of durations such as 5s,5m,30m (units ms, s, m, h)',
    );
  }
  if (!(parseDuration(env.OPERATIONAL_DEAD_LETTER_WINDOW) ?? 0)) {
    problems.push('OPERATIONAL_DEAD_LETTER_WINDOW must be a positive duration such as 1m (units ms, s, m, h, d)');
  }
  for (const name of [
    'STUCK_EVENT_AFTER',
    'RETENTION_RAW_AFTER',
    'RETENTION_EVENTS_AFTER',
    'RETENTION_AUDIT_AFTER',
    'RETENTION_INTERVAL',
    'CONSOLE_SESSION_TTL',
  ] as const) {
    if (env[name] !== undefined && !(parseDuration(env[name]) ?? 0))
      problems.push(`${name} must be a positive duration such as 12h (units ms, s, m, h, d)`);
  }
  for (const [name, value] of [
    ['SECRETS_ENCRYPTION_KEY', env.SECRETS_ENCRYPTION_KEY],
    ...(env.SECRETS_ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .filter(Boolean)
      .map((key) => ['SECRETS_ENCRYPTION_PREVIOUS_KEYS', key.trim()]),
  ]) {
    if (value !== undefined && Buffer.from(value, 'base64').length !== 32)
      problems.push(`${name} must be 32 bytes in base64 (e.g. openssl rand -base64 32)`);
  }
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS)
    problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other: set one of them');
  if (env.REDIS_CLUSTER_NODES && /^rediss?:\/\/[^/]*\/[1-9]/.test(env.REDIS_URL ?? ''))
    problems.push(
      'REDIS_URL must name database 0 (or none) with REDIS_CLUSTER_NODES: a Redis Cluster has only that one',
    );
  if (!env.SECRETS_ENCRYPTION_KEY && env.NODE_ENV === 'production')
    problems.push('SECRETS_ENCRYPTION_KEY is required when NODE_ENV=production');
  if (env.PAYPAL_CERT_ALLOW_HTTP_LOOPBACK && env.NODE_ENV === 'production') {
    problems.push('PAYPAL_CERT_ALLOW_HTTP_LOOPBACK is for tests only and is refused when NODE_ENV=production');
  }
  return problems.length ? { problems } : { env, problems };
}
