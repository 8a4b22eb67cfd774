import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/redis-server';
import { waitFor } from '../support/wait';

const root = path.join(__dirname, '..', '..');
const isRoot = process.getuid?.() === 0;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ are CommonJS without types
const { portOpen } = require('../../scripts/services') as { portOpen: (port: number) => Promise<boolean> };

/**
 * The README's `npm start` from a checkout other users cannot enter (root's home and `mktemp -d` are mode 700):
 * its own PostgreSQL and Redis start, migrations run, the demo is seeded, the URLs are printed within a screen,
 * Ctrl-C says what keeps running, and `npm run stop` leaves nothing listening.
 */
describe('local stack from a mode-700 checkout', () => {
  let home: string;
  let checkout: string;
  let ports: { pg: number; redis: number; http: number; receiver: number };
  let gateway: ChildProcess | undefined;
  let output = '';

  const env = () => {
    const vars: NodeJS.ProcessEnv = {
      ...process.env,
      HOOKGATE_LOCAL_PG_PORT: String(ports.pg),
      HOOKGATE_LOCAL_REDIS_PORT: String(ports.redis),
      PORT: String(ports.http),
      DEMO_RECEIVER_PORT: String(ports.receiver),
      HOOKGATE_SKIP_BUILD: '1',
      LOG_FORMAT: 'pretty',
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'HOOKGATE_TEST_DATABASE_SERVER_URL'])
      delete vars[name];
    return vars;
  };
  const stop = () =>
    execFileSync(process.execPath, ['scripts/local-stack.js', 'stop'], { cwd: checkout, env: env(), encoding: 'utf8' });

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'hookgate-home-'));
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    checkout = path.join(home, 'src', 'hookgate');
    fs.mkdirSync(checkout, { recursive: true });
    // A checkout as `git clone && npm ci && npm run build` leaves it; node_modules is shared to save the install.
    for (const entry of ['package.json', 'scripts', 'prisma', 'dist'])
      fs.cpSync(path.join(root, entry), path.join(checkout, entry), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(checkout, 'node_modules'));
  });

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    if (!checkout) return;
    const link = path.join(checkout, '.local', 'postgres');
    const dataDir = fs.existsSync(link) ? fs.realpathSync(link) : undefined;
    try {
      stop();
    } finally {
      if (dataDir && !dataDir.startsWith(home)) fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('npm start runs there, prints its URLs within a screen, and npm run stop leaves nothing running', async () => {
    ports = { pg: await freePort(), redis: await freePort(), http: await freePort(), receiver: await freePort() };
    gateway = spawn(process.execPath, ['scripts/local-stack.js', 'start'], {
      cwd: checkout,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    gateway.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    await waitFor(() => output.includes('Hookgate is running'), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `the URLs to be printed; output so far:\n${output}`,
    });
    const linesBeforeUrls = output.slice(0, output.indexOf('Hookgate is running')).split('\n').length;
    expect(linesBeforeUrls).toBeLessThanOrEqual(30);
    expect(output).toContain(`http://127.0.0.1:${ports.http}/api/v1`);
    // The console is the first URL printed: it is where an operator starts.
    expect(output.slice(output.indexOf('Hookgate is running')).match(/https?:\/\/\S+/)?.[0]).toBe(
      `http://127.0.0.1:${ports.http}/console`,
    );
    expect(output).not.toContain('InstanceLoader');
    expect(output).not.toMatch(/^\{.*"level":/m); // a terminal gets short lines, not JSON
    if (isRoot) {
      // PostgreSQL runs as `postgres`, which cannot enter this checkout: its data lives where it can, linked here.
      expect(fs.lstatSync(path.join(checkout, '.local', 'postgres')).isSymbolicLink()).toBe(true);
    }
    const ready = await fetch(`http://127.0.0.1:${ports.http}/health/ready`);
    expect(ready.status).toBe(200);

    const exited = new Promise<number | null>((resolve) => gateway!.once('exit', (code) => resolve(code)));
    gateway.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/PostgreSQL .* and Redis .* keep running/);
    expect(output).toContain('npm run stop');
    expect(await portOpen(ports.pg)).toBe(true);

    expect(stop()).toContain('stopped PostgreSQL');
    expect(await portOpen(ports.pg)).toBe(false);
    expect(await portOpen(ports.redis)).toBe(false);
    expect(stop()).toContain('nothing was running');
  }, 120_000);
});
