import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort as testServerPort } from '../support/redis-server';

// The harness is plain JavaScript so that `npm run chaos` runs it without a TypeScript step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { freePort: chaosServerPort } = require('../../scripts/chaos/cluster') as { freePort: () => Promise<number> };

const root = join(__dirname, '..', '..');

/** The first port the kernel may give an outgoing connection (Linux's `ip_local_port_range`). */
function firstEphemeralPort(): number {
  const [from] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
  return Number(from);
}

// What the chaos runs and the suite stand on: ports that no other process can take between the check and the bind,
// and a run that ends when it cannot start.
describe('chaos and test harness', () => {
  it("gives servers ports below the kernel's ephemeral range, so a connection retrying a stopped server's port cannot take it", async () => {
    const ephemeralFrom = firstEphemeralPort();
    const ports: number[] = [];
    for (let i = 0; i < 100; i += 1) ports.push(await chaosServerPort(), await testServerPort());
    expect(ports.filter((port) => port >= ephemeralFrom)).toEqual([]);
  });

  it('ends a chaos run that fails to start instead of keeping its process alive', () => {
    // A log directory under a file fails the cluster's start at once, after the receiver has started listening.
    const script = `require('./scripts/chaos/scenarios').startChaos({ logDir: '/dev/null/chaos', log() {} })
      .then(() => console.log('started'), (error) => console.log('failed', error.code))`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect({ signal: run.signal, status: run.status, stdout: run.stdout.trim() }).toEqual({
      signal: null,
      status: 0,
      stdout: 'failed ENOTDIR',
    });
  });
});
