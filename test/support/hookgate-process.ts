import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait';

const mainJs = join(__dirname, '..', '..', 'dist', 'main.js');

/** Hookgate run as a real process from dist/ (as `npm run start:prod` would), with its output captured. */
export class HookgateProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** `env` replaces the environment entirely (plus PATH), so nothing leaks in from the test runner. */
  static spawn(args: string[], env: Record<string, string | undefined>): HookgateProcess {
    if (!existsSync(mainJs)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does it first)');
    const clean = Object.fromEntries(
      Object.entries({ PATH: process.env.PATH, ...env }).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    return new HookgateProcess(
      spawn(process.execPath, [mainJs, ...args], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  get text(): string {
    return this.output.join('\n');
  }

  /** Resolves with the exit code, or rejects when the process is still running after `timeoutMs`. */
  waitForExit(timeoutMs = 20_000): Promise<number | null> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`process still running after ${timeoutMs} ms; output:\n${this.text}`)),
        timeoutMs,
      );
    });
    return Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    return this.waitForExit();
  }
}

/** Waits until a process's health listener (a worker's WORKER_HEALTH_PORT) answers ready. */
export function waitUntilReady(healthPort: number, what = 'the worker to start'): Promise<boolean> {
  return waitFor(
    () =>
      fetch(`http://127.0.0.1:${healthPort}/health/ready`)
        .then((response) => response.status === 200)
        .catch(() => false),
    { timeoutMs: 20_000, what },
  );
}
