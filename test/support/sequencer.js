const Sequencer = require('@jest/test-sequencer').default;

/**
 * The files that run longest go first, so that on two workers the suite does not end with one of them running a
 * long file alone. Jest orders by the durations of the previous run, but a clean clone (CI) has none and falls back
 * to file size, which puts the 20,000-webhook Redis memory test last. Times are those of a full run on two cores.
 */
const LONGEST_FIRST = [
  'test/ingress/abuse.e2e-spec.ts', // ~85 s
  'test/e2e/redis-memory.e2e-spec.ts', // ~70 s
  'test/chaos/chaos.e2e-spec.ts', // ~50 s
  'test/delivery/worker-processes.e2e-spec.ts', // ~45 s
  'test/operations/retention.e2e-spec.ts', // ~45 s
];

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const index = LONGEST_FIRST.findIndex((file) => test.path.endsWith(file));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    const sorted = await super.sort(tests);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
