#!/usr/bin/env node
// `npm run chaos`: fault injection against real processes (its own PostgreSQL and Redis, one api, two workers from
// dist/main.js). Prints one line per scenario, then the table, and as the last line `N passed, M failed`; exits 1
// when any scenario failed. CHAOS_SCENARIOS=a,b runs only those; CHAOS_RATE sets webhooks per second.
const { runChaos, formatTable } = require('./chaos/scenarios');

async function main() {
  const overrides = {};
  if (process.env.CHAOS_SCENARIOS)
    overrides.scenarios = process.env.CHAOS_SCENARIOS.split(',').map((name) => name.trim());
  if (process.env.CHAOS_RATE) overrides.rate = Number(process.env.CHAOS_RATE);
  const results = await runChaos(overrides);
  for (const result of results.filter((item) => !item.passed))
    console.log(`[chaos] ${result.name}: ${result.problems.join('; ')}`);
  console.log(formatTable(results));
  process.exitCode = results.every((result) => result.passed) ? 0 : 1;
}

main().catch((error) => {
  console.error(`[chaos] ${error.stack ?? error.message}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
