import { isDatabaseUnavailable } from '../database/database-errors';
import { CallBatcher } from './call-batcher';

describe('CallBatcher', () => {
  it('splits what waits into batches of at most maxBatch, in arrival order', async () => {
    const batches: number[][] = [];
    const batcher = new CallBatcher(
      async (items: number[]) => {
        batches.push(items);
        return items.map((item) => item * 10);
      },
      { maxBatch: 2 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.submit(item)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('does not retry item by item when the database is unreachable: every caller gets that error at once', async () => {
    const batches: string[][] = [];
    const isolating: number[] = [];
    const batcher = new CallBatcher(
      async (items: string[]) => {
        batches.push(items);
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      { maxBatch: 10, onIsolating: (_error, count) => isolating.push(count), failsAll: isDatabaseUnavailable },
    );
    const outcomes = await Promise.allSettled(['a', 'b'].map((item) => batcher.submit(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(batches).toEqual([['a', 'b']]);
    expect(isolating).toEqual([]);
  });

  it('tells afterBatch each batch with its outcomes, failures included', async () => {
    const seen: [string[], (string | Error)[]][] = [];
    const batcher = new CallBatcher(
      async (items: string[]) => {
        if (items.includes('bad')) throw new Error('refused');
        return items.map((item) => item.toUpperCase());
      },
      { maxBatch: 10, afterBatch: (items, outcomes) => seen.push([items, outcomes]) },
    );
    await Promise.allSettled(['a', 'bad'].map((item) => batcher.submit(item)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      [
        ['a', 'bad'],
        ['A', new Error('refused')],
      ],
    ]);
  });
  it('puts the next statement on the wire before answering the batch before it, with one statement in flight', async () => {
    const timeline: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const finishers: (() => void)[] = [];
    const batcher = new CallBatcher(
      (items: string[]) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        // Like a pool handing over its idle connection: the statement is written in a later process.nextTick.
        process.nextTick(() => timeline.push(`sent ${items.join('')}`));
        return new Promise<string[]>((resolve) =>
          finishers.push(() => {
            inFlight -= 1;
            resolve(items);
          }),
        );
      },
      { maxBatch: 10 },
    );
    const first = batcher.submit('a').then(() => timeline.push('answered a'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = batcher.submit('b').then(() => timeline.push('answered b'));
    finishers.shift()!();
    await first;
    finishers.shift()!();
    await second;
    expect(timeline).toEqual(['sent a', 'sent b', 'answered a', 'answered b']);
    expect(mostInFlight).toBe(1);
  });
  it('calls afterBatch only once the callers have run their continuations, however many steps they take', async () => {
    const timeline: string[] = [];
    const batcher = new CallBatcher(async (items: string[]) => items, {
      maxBatch: 10,
      afterBatch: (items) => timeline.push(`after ${items.join('')}`),
    });
    const answered = ['a', 'b'].map((item) =>
      batcher
        .submit(item)
        .then((value) => value)
        .then((value) => value)
        .then((value) => value)
        .then((value) => timeline.push(`answered ${value}`)),
    );
    await Promise.all(answered);
    await new Promise((resolve) => setImmediate(resolve));
    expect(timeline).toEqual(['answered a', 'answered b', 'after ab']);
  });
});
