import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ChaosResult {
  name: string;
  acknowledged: number;
  /** Endpoints every event of the scenario goes to. */
  endpoints: number;
  lost: number;
  duplicated: number;
  stranded: number;
  deliveries: number;
  problems: string[];
}

interface ChaosRun {
  run(name: string): Promise<ChaosResult>;
  close(): Promise<void>;
}

// The harness is plain JavaScript so that `npm run chaos` runs it without a TypeScript step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startChaos } = require('../../scripts/chaos/scenarios') as {
  startChaos: (options: object) => Promise<ChaosRun>;
};

// The short variant of `npm run chaos` (scripts/chaos.js): its own PostgreSQL and Redis, a real api and two real
// workers from dist/, a few hundred Stripe-signed webhooks per scenario, checked from the database and the receiver.
describe('chaos (short variant of npm run chaos)', () => {
  const SETTLE_MS = 30_000;
  // A process's boot on a loaded 2-core machine (other suites run beside this one) can take tens of seconds.
  const READY_MS = 60_000;
  const logDir = mkdtempSync(join(tmpdir(), 'hookgate-chaos-logs-'));
  let chaos: ChaosRun;
  const SCENARIOS = ['worker-sigkill', 'fifo-worker-sigkill', 'redis-killed', 'postgres-restart'];
  let passed = 0;

  beforeAll(async () => {
    chaos = await startChaos({
      rate: 30,
      leadMs: 2_000,
      streamMs: 4_000,
      settleTimeoutMs: SETTLE_MS,
      readyTimeoutMs: READY_MS,
      logDir,
      log: () => undefined,
    }).catch((error: Error) => {
      throw new Error(`${error.message} (process logs in ${logDir})`);
    });
  }, 2 * READY_MS);

  afterAll(async () => {
    await chaos?.close();
    // The processes' logs stay after a failure (the failure message names the directory).
    if (passed === SCENARIOS.length) rmSync(logDir, { recursive: true, force: true });
  }, 30_000);

  // Each scenario waits at most: the lead (2 s), a delivery in flight (10 s), a restart (READY_MS), the rest of the
  // stream (2 s) and the settling (SETTLE_MS).
  const SCENARIO_TIMEOUT_MS = 2_000 + 10_000 + READY_MS + 2_000 + SETTLE_MS + 10_000;

  it.each(SCENARIOS)(
    '%s: nothing lost, duplicated or stranded',
    async (name) => {
      const result = await chaos.run(name);
      expect(result.acknowledged).toBeGreaterThan(100);
      expect(result.deliveries).toBe(result.endpoints * result.acknowledged);
      expect({
        lost: result.lost,
        duplicated: result.duplicated,
        stranded: result.stranded,
        problems: result.problems,
        logs: logDir,
      }).toEqual({ lost: 0, duplicated: 0, stranded: 0, problems: [], logs: logDir });
      passed += 1;
    },
    SCENARIO_TIMEOUT_MS,
  );
});
