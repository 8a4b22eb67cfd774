import { StartupError } from '../common/errors/startup-error';
import { loadConfig } from './load-config';

const minimal = { DATABASE_URL: 'postgresql://u@localhost/db', REDIS_URL: 'redis://localhost:6379' };

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(minimal);
    expect(config.role).toBe('all');
    expect(config.port).toBe(3000);
    expect(config.delivery.retryScheduleMs).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(config.delivery.timeoutMs).toBe(15_000);
    expect(config.delivery.allowPrivateNetworks).toBe(false);
    expect(config.paypal.certHosts).toEqual([
      'api.paypal.com',
      'api-m.paypal.com',
      'api.sandbox.paypal.com',
      'api-m.sandbox.paypal.com',
    ]);
    expect(config.otel).toEqual({ endpoint: undefined, serviceName: 'hookgate' });
    expect(config.heapGrowingPercent).toBe(50);
  });

  it('takes HEAP_GROWING_PERCENT from 0 (V8 decides) to 1000, and refuses anything else', () => {
    expect(loadConfig({ ...minimal, HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ ...minimal, HEAP_GROWING_PERCENT: '60' }).heapGrowingPercent).toBe(60);
    for (const refused of ['-1', '1001', 'lots'])
      expect(() => loadConfig({ ...minimal, HEAP_GROWING_PERCENT: refused })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', APP_ROLE: 'cron', DELIVERY_RETRY_SCHEDULE: '5s,soon' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StartupError);
    const message = (error as Error).message;
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'APP_ROLE', 'DELIVERY_RETRY_SCHEDULE'])
      expect(message).toContain(name);
  });

  it('parses the retention periods (7d, 30d, 365d, every 1h by default; seconds in tests) and refuses bad ones', () => {
    expect(loadConfig(minimal).retention).toEqual({
      rawAfterMs: 604_800_000,
      eventsAfterMs: 2_592_000_000,
      auditAfterMs: 31_536_000_000,
      intervalMs: 3_600_000,
    });
    expect(
      loadConfig({
        ...minimal,
        RETENTION_RAW_AFTER: '2s',
        RETENTION_EVENTS_AFTER: '3s',
        RETENTION_AUDIT_AFTER: '4s',
        RETENTION_INTERVAL: '1s',
      }).retention,
    ).toEqual({ rawAfterMs: 2_000, eventsAfterMs: 3_000, auditAfterMs: 4_000, intervalMs: 1_000 });
    expect(() => loadConfig({ ...minimal, RETENTION_EVENTS_AFTER: 'a month', RETENTION_INTERVAL: '0s' })).toThrow(
      /RETENTION_EVENTS_AFTER[\s\S]*RETENTION_INTERVAL/,
    );
  });

  it('accepts a Redis Cluster hash tag as the key prefix', () => {
    expect(loadConfig({ ...minimal, HOOKGATE_REDIS_PREFIX: '{hookgate}' }).redis.prefix).toBe('{hookgate}');
    expect(() => loadConfig({ ...minimal, HOOKGATE_REDIS_PREFIX: 'hook gate' })).toThrow(/HOOKGATE_REDIS_PREFIX/);
  });

  it('reads Redis Sentinel settings, and refuses a sentinel list that is not host:port pairs', () => {
    expect(loadConfig(minimal).redis.sentinel).toBeUndefined();
    expect(
      loadConfig({ ...minimal, REDIS_SENTINELS: 's1.internal:26379, 10.0.0.2:26380', REDIS_SENTINEL_NAME: 'hg' }).redis
        .sentinel,
    ).toEqual({
      nodes: [
        { host: 's1.internal', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
      name: 'hg',
      password: undefined,
    });
    expect(loadConfig({ ...minimal, REDIS_SENTINELS: 'a:1' }).redis.sentinel?.name).toBe('mymaster');
    expect(() => loadConfig({ ...minimal, REDIS_SENTINELS: 's1.internal' })).toThrow(/REDIS_SENTINELS/);
  });

  it('reads Redis Cluster nodes, and refuses them beside sentinels or with a database other than 0', () => {
    expect(loadConfig(minimal).redis.cluster).toBeUndefined();
    expect(loadConfig({ ...minimal, REDIS_CLUSTER_NODES: 'r1.internal:7000, 10.0.0.3:7001' }).redis.cluster).toEqual({
      nodes: [
        { host: 'r1.internal', port: 7000 },
        { host: '10.0.0.3', port: 7001 },
      ],
    });
    expect(() => loadConfig({ ...minimal, REDIS_CLUSTER_NODES: 'r1.internal' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ ...minimal, REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' })).toThrow(
      /exclude each other/,
    );
    expect(() => loadConfig({ ...minimal, REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://:secret@a:1/2' })).toThrow(
      /database 0/,
    );
  });

  it('parses booleans and the retry schedule units', () => {
    const config = loadConfig({
      ...minimal,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_RETRY_SCHEDULE: '250ms, 2s,1m,1h',
    });
    expect(config.delivery.allowPrivateNetworks).toBe(true);
    expect(config.delivery.retryScheduleMs).toEqual([250, 2_000, 60_000, 3_600_000]);
  });

  it('requires SECRETS_ENCRYPTION_KEY in production, as 32 bytes of base64', () => {
    expect(() => loadConfig({ ...minimal, NODE_ENV: 'production' })).toThrow(/SECRETS_ENCRYPTION_KEY is required/);
    expect(() => loadConfig({ ...minimal, SECRETS_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(
      loadConfig({ ...minimal, NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })
        .secretsEncryption.key,
    ).toBeDefined();
  });

  it('refuses the PayPal loopback test switch in production', () => {
    expect(() => loadConfig({ ...minimal, NODE_ENV: 'production', PAYPAL_CERT_ALLOW_HTTP_LOOPBACK: 'true' })).toThrow(
      /PAYPAL_CERT_ALLOW_HTTP_LOOPBACK/,
    );
  });

  it('does not echo secret values in its messages', () => {
    expect(() => loadConfig({ ...minimal, ADMIN_API_KEY: 'short-secret' })).toThrow(
      /ADMIN_API_KEY must be at least 16 characters/,
    );
    expect(() => loadConfig({ ...minimal, ADMIN_API_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });
});
