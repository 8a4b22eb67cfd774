#!/usr/bin/env node
// `npm run chaos`: fault injection against real processes (its own PostgreSQL and Redis, one api, two workers from
// dist/main.js). Prints one line per scenario, then the table, and as the last line `N passed, M failed`; exits 1
// when any scenario failed. CHAOS_SCENARIOS=a,b runs only those; CHAOS_RATE sets webhooks per second; `--pgbouncer`
// (or CHAOS_PGBOUNCER=1) puts PgBouncer in transaction mode between the processes and PostgreSQL.
const fs = require('node:fs');
const path = require('node:path');
const { runChaos, formatTable } = require('./chaos/scenarios');

/** The processes' logs of this run: kept when a scenario failed, removed otherwise. */
const logDir = path.join(__dirname, '..', '.local', 'chaos', new Date().toISOString().replace(/[:.]/g, '-'));

async function main() {
  const overrides = { logDir };
  if (process.env.CHAOS_SCENARIOS)
    overrides.scenarios = process.env.CHAOS_SCENARIOS.split(',').map((name) => name.trim());
  if (process.env.CHAOS_RATE) overrides.rate = Number(process.env.CHAOS_RATE);
  if (process.argv.includes('--pgbouncer') || process.env.CHAOS_PGBOUNCER === '1') overrides.pgbouncer = true;
  const results = await runChaos(overrides);
  for (const result of results.filter((item) => !item.passed))
    console.log(`[chaos] ${result.name}: ${result.problems.join('; ')}`);
  const passed = results.every((result) => result.passed);
  if (passed) fs.rmSync(logDir, { recursive: true, force: true });
  else console.log(`[chaos] the processes' logs are in ${logDir}`);
  console.log(formatTable(results));
  process.exitCode = passed ? 0 : 1;
}

main().catch((error) => {
  console.error(`[chaos] ${error.stack ?? error.message} (the processes' logs are in ${logDir})`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
