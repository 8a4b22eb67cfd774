// Container health: liveness of the API (PORT) or of the worker's opt-in health listener (WORKER_HEALTH_PORT).
const role = process.env.APP_ROLE || process.argv[2] || 'all';
const port = role === 'worker' ? process.env.WORKER_HEALTH_PORT : process.env.PORT || 3000;
if (!port) process.exit(0); // a worker without a health port has nothing to probe
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2500) })
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch(() => process.exit(1));
