interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

interface Finished<I, O> {
  batch: Waiting<I, O>[];
  items: I[];
  outcomes: (O | Error)[];
}

/**
 * Turns concurrent calls into batches of one statement (or script) each: one batch runs at a time, and calls that
 * arrive while it runs wait and form the next one (at most `maxBatch`), so a busy process makes few large calls (one
 * commit, one round trip, one wake-up of the server per batch) and an idle one answers a lone call at once, without a
 * timer. Each call gets its own result or its own error: when a batch fails for a reason other than an unreachable
 * server (`failsAll`), its items run again one by one, so only the culprit fails (contract §6.2).
 */
export class CallBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private draining = false;

  /** `run` is one call for the items, answering in their order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: {
      maxBatch: number;
      /** Called with every batch's items and outcomes once their callers have their answers (in a later turn). */
      afterBatch?: (items: I[], outcomes: (O | Error)[]) => void;
      /** Told when a batch failed and its items run one by one. */
      onIsolating?: (error: Error, count: number) => void;
      /** An error that fails every item at once, without running them one by one (the server is unreachable). */
      failsAll?: (error: unknown) => boolean;
    },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop lets calls that arrived together share the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      let running: Promise<Finished<I, O>> | null = this.startNext();
      while (running) {
        const finished: Finished<I, O> = await running;
        // The next statement leaves before this batch's callers run their continuations (their answers), so the
        // database works on it while this process answers: still one statement in flight, but no idle gap. A
        // pool hands its idle connection over in a process.nextTick, so the answers wait for the tick after that one.
        running = this.startNext();
        await new Promise<void>((resolve) => process.nextTick(resolve));
        this.settle(finished);
        running ??= this.startNext();
      }
    } finally {
      this.draining = false;
    }
  }

  private startNext(): Promise<Finished<I, O>> | null {
    if (!this.waiting.length) return null;
    const batch = this.waiting.splice(0, this.options.maxBatch);
    const items = batch.map((waiting) => waiting.item);
    return this.isolated(items).then((outcomes) => ({ batch, items, outcomes }));
  }

  private settle({ batch, items, outcomes }: Finished<I, O>): void {
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) waiting.reject(outcome);
      else waiting.resolve(outcome);
    });
    // The callers' continuations (writing their answers) take several microtasks; what follows a batch waits for
    // the next turn of the event loop, after all of them.
    const { afterBatch } = this.options;
    if (afterBatch) setImmediate(() => afterBatch(items, outcomes));
  }

  private async isolated(items: I[]): Promise<(O | Error)[]> {
    try {
      return await this.run(items);
    } catch (error) {
      if (items.length === 1 || this.options.failsAll?.(error)) return items.map(() => error as Error);
      this.options.onIsolating?.(error as Error, items.length);
      const outcomes: (O | Error)[] = [];
      for (const item of items)
        outcomes.push(
          await this.run([item]).then(
            ([result]) => result,
            (failure: Error) => failure,
          ),
        );
      return outcomes;
    }
  }
}
