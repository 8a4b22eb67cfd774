import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askRedis as askNode, freePort, killAll, redisServerBinary } from './redis-server';
import { waitFor } from './wait';

interface NodeLine {
  port: number;
  role: 'master' | 'slave';
  failed: boolean;
  slots: [number, number][];
}

/** `CLUSTER NODES` as one node sees the cluster. */
function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [, address, flags, , , , , , ...slots] = line.split(' ');
      return {
        port: Number(address.split('@')[0].split(':')[1]),
        role: flags.includes('master') ? 'master' : 'slave',
        failed: /fail/.test(flags),
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [from, to] = range.split('-').map(Number);
            return [from, to ?? from] as [number, number];
          }),
      };
    });
}

/**
 * A real Redis Cluster on loopback, of the test's own: three primaries, each with a replica that takes over a second
 * after its primary stops answering. Bus ports are chosen like the client ports (below the ephemeral range), not
 * left at port + 10000.
 */
export class RedisClusterGroup {
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    readonly ports: number[],
  ) {}

  static async start(): Promise<RedisClusterGroup> {
    const dir = mkdtempSync(join(tmpdir(), 'hookgate-cluster-'));
    const ports: number[] = [];
    while (ports.length < 12) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const group = new RedisClusterGroup(dir, ports.slice(0, 6));
    for (const [index, port] of group.ports.entries()) {
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const args = [
        '--port',
        String(port),
        '--cluster-port',
        String(ports[6 + index]),
        '--bind',
        '127.0.0.1',
        '--dir',
        nodeDir,
        '--save',
        '',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '1000',
        // A replica must have synced to be promoted; the default waits 5 s before the first sync.
        '--repl-diskless-sync-delay',
        '0',
        '--logfile',
        join(nodeDir, 'redis.log'),
      ];
      group.processes.set(port, spawn(redisServerBinary(), args, { stdio: 'ignore' }));
    }
    try {
      for (const port of group.ports)
        await waitFor(
          () =>
            askNode(port, 'PING')
              .then((answer) => answer === 'PONG')
              .catch(() => false),
          {
            what: `cluster node ${port}`,
            timeoutMs: 10_000,
          },
        );
      const created = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...group.ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (created.status !== 0)
        throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
      await waitFor(
        async () =>
          (await group.nodes(group.ports[0])).filter((node) => node.role === 'master').length === 3 &&
          (await group.isHealthy()),
        {
          what: 'the cluster to form',
          timeoutMs: 20_000,
        },
      );
      const replicas = (await group.nodes(group.ports[0])).filter((node) => node.role === 'slave');
      for (const { port } of replicas)
        await waitFor(async () => /master_link_status:up/.test(String(await askNode(port, 'INFO', 'replication'))), {
          what: `replica ${port} to sync with its primary`,
          timeoutMs: 15_000,
        });
    } catch (error) {
      await group.destroy();
      throw error;
    }
    return group;
  }

  /** The nodes as REDIS_CLUSTER_NODES names them (any of them would do; the client discovers the rest). */
  get startupNodes(): string {
    return this.ports
      .slice(0, 3)
      .map((port) => `127.0.0.1:${port}`)
      .join(',');
  }

  /** Every live node says the cluster is ok. */
  async isHealthy(): Promise<boolean> {
    const live = this.ports.filter((port) => this.running(port));
    const infos = await Promise.all(live.map((port) => askNode(port, 'CLUSTER', 'INFO').catch(() => '')));
    return infos.every((info) => /cluster_state:ok/.test(String(info)));
  }

  /** The port of the primary that serves `key`'s slot, as a live node sees it. */
  async primaryOf(key: string): Promise<number> {
    const port = this.livePort();
    const slot = Number(await askNode(port, 'CLUSTER', 'KEYSLOT', key));
    const owner = (await this.nodes(port)).find(
      (node) => node.role === 'master' && !node.failed && node.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`no primary serves slot ${slot}`);
    return owner.port;
  }

  /** The primaries now, as a live node sees them. */
  async primaries(): Promise<number[]> {
    return (await this.nodes(this.livePort()))
      .filter((node) => node.role === 'master' && !node.failed && node.slots.length)
      .map((node) => node.port);
  }

  async kill(port: number): Promise<void> {
    const child = this.processes.get(port);
    if (!child || !this.running(port)) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await killAll(this.processes.values());
    if (!process.env.KEEP_CLUSTER) rmSync(this.dir, { recursive: true, force: true });
  }

  private async nodes(port: number): Promise<NodeLine[]> {
    return parseNodes(String(await askNode(port, 'CLUSTER', 'NODES')));
  }

  private running(port: number): boolean {
    const child = this.processes.get(port);
    return Boolean(child && child.exitCode === null && child.signalCode === null);
  }

  private livePort(): number {
    const port = this.ports.find((candidate) => this.running(candidate));
    if (port === undefined) throw new Error('no cluster node is running');
    return port;
  }
}
