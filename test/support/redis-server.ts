import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait';

/**
 * A free port for a test server, below Linux's ephemeral range (32768–60999): a port the kernel hands out itself
 * can be taken by any outgoing connection between this check and the server's own bind.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Asks one server (a sentinel, a cluster node) one command, on a connection of its own. */
export async function askRedis(port: number, ...command: string[]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return await client.call(command[0], ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

/** SIGKILLs every process still running and waits for their exits. */
export async function killAll(processes: Iterable<ChildProcess>): Promise<void> {
  await Promise.all(
    [...processes]
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise<void>((resolve) => child.once('exit', () => resolve()).kill('SIGKILL'))),
  );
}

/** Debian's redis-server (the test setup installs it when run as root); it also runs sentinels. */
export function redisServerBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('redis-server is not installed (npm test installs it when run as root)');
  return found.stdout.trim();
}

/**
 * A Redis server of the test's own, on a free loopback port, that the test may stop and restart
 * (outage tests must not take the shared Redis away from other test files).
 */
export class PrivateRedis {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hookgate-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.process = spawn(
      redisServerBinary(),
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(() => this.ping(), { what: `private redis on ${this.port}`, timeoutMs: 10_000 });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
    });
  }
}
