import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askRedis as ask, freePort, killAll, redisServerBinary } from './redis-server';
import { waitFor } from './wait';

/**
 * A real Redis Sentinel deployment on loopback, of the test's own: a primary, one replica and three sentinels
 * (quorum 2) that fail over a second after the primary stops answering.
 */
export class RedisSentinelGroup {
  static readonly NAME = 'hookgate-primary';
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
    readonly sentinelPorts: number[],
  ) {}

  static async start(): Promise<RedisSentinelGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'hookgate-sentinel-'));
    const [primary, replica, ...sentinels] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const group = new RedisSentinelGroup(dir, primary, replica, sentinels);
    group.spawnServer(primary, []);
    group.spawnServer(replica, ['--replicaof', '127.0.0.1', String(primary)]);
    await waitFor(async () => /master_link_status:up/.test(String(await ask(replica, 'INFO', 'replication'))), {
      what: 'the replica to sync',
      timeoutMs: 15_000,
    });
    for (const port of sentinels) {
      // A sentinel rewrites its own file (what it learnt of the replicas and the other sentinels).
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${RedisSentinelGroup.NAME} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${RedisSentinelGroup.NAME} 1000`,
          `sentinel failover-timeout ${RedisSentinelGroup.NAME} 5000`,
          '',
        ].join('\n'),
      );
      group.processes.set(port, spawn(redisServerBinary(), [file, '--sentinel'], { stdio: 'ignore' }));
    }
    await waitFor(
      async () => {
        const answers = await Promise.all(
          sentinels.map((port) => ask(port, 'SENTINEL', 'REPLICAS', RedisSentinelGroup.NAME).catch(() => [])),
        );
        return answers.every((replicas) => Array.isArray(replicas) && replicas.length === 1);
      },
      { what: 'every sentinel to know the replica', timeoutMs: 20_000 },
    );
    return group;
  }

  /** The sentinels as REDIS_SENTINELS names them. */
  get sentinels(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The port of the primary the sentinels name now. */
  async currentPrimaryPort(): Promise<number> {
    const [, port] = (await ask(
      this.sentinelPorts[0],
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      RedisSentinelGroup.NAME,
    )) as [string, string];
    return Number(port);
  }

  /** SIGKILL of the primary: the sentinels promote the replica. */
  async killPrimary(): Promise<void> {
    const child = this.processes.get(this.primaryPort);
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await killAll(this.processes.values());
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnServer(port: number, extra: string[]): void {
    const dir = join(this.dir, String(port));
    mkdirSync(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extra];
    this.processes.set(port, spawn(redisServerBinary(), args, { stdio: 'ignore' }));
  }
}
