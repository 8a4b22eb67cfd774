import { readFileSync } from 'node:fs';

/** The clocks a budget reads, in milliseconds. `threadCpuMs` is absent where the platform cannot tell it. */
export interface CpuClocks {
  wallMs(): number;
  threadCpuMs?: () => number;
  processCpuMs(): number;
}

const SCHEDSTAT = '/proc/thread-self/schedstat';

/** The calling thread's CPU time: Linux's schedstat gives it in nanoseconds (Node 20 has no call for it). */
function linuxThreadCpuMs(): number {
  return Number(readFileSync(SCHEDSTAT, 'latin1').split(' ', 1)[0]) / 1e6;
}

function readable(clock: () => number): boolean {
  try {
    return Number.isFinite(clock());
  } catch {
    return false;
  }
}

export const SYSTEM_CLOCKS: CpuClocks = {
  wallMs: () => performance.now(),
  threadCpuMs: readable(linuxThreadCpuMs) ? linuxThreadCpuMs : undefined,
  processCpuMs: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1_000;
  },
};

/** How often, at most, an exceeded wall clock makes the budget read the (slower, a system call) CPU clock. */
const CPU_READ_EVERY_MS = 1;

/**
 * The CPU budget of one synchronous run on this thread. A run is over budget once its own CPU time passes the limit:
 * the thread's CPU time where Linux tells it, else the process's, which also counts V8's background threads
 * (compiling WebAssembly, collecting garbage) and so can only overstate a run's. The wall clock is read first, being
 * cheap: a run cannot have used more CPU than wall time.
 */
export class CpuBudget {
  private startedAt = 0;
  private cpuAtStart = 0;
  private nextCpuReadAt = 0;

  constructor(
    private readonly limitMs: number,
    private readonly clocks: CpuClocks = SYSTEM_CLOCKS,
  ) {}

  start(): void {
    this.startedAt = this.clocks.wallMs();
    this.cpuAtStart = this.cpuMs();
    this.nextCpuReadAt = this.startedAt + this.limitMs;
  }

  exceeded(): boolean {
    const wall = this.clocks.wallMs();
    if (wall < this.nextCpuReadAt) return false;
    this.nextCpuReadAt = wall + CPU_READ_EVERY_MS;
    return this.cpuMs() - this.cpuAtStart > this.limitMs;
  }

  private cpuMs(): number {
    return this.clocks.threadCpuMs ? this.clocks.threadCpuMs() : this.clocks.processCpuMs();
  }
}
