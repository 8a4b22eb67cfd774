import { CpuBudget, CpuClocks } from './cpu-budget';

/** Clocks a test moves by hand: wall time, this thread's CPU time (or none) and the whole process's CPU time. */
function clocks(thread: boolean) {
  const now = { wall: 0, thread: 0, process: 0 };
  const readings: CpuClocks = {
    wallMs: () => now.wall,
    threadCpuMs: thread ? () => now.thread : undefined,
    processCpuMs: () => now.process,
  };
  return { now, readings };
}

describe('CpuBudget', () => {
  it('does not charge a run for what other threads did while the machine preempted it', () => {
    // Measured on a loaded two-core machine: 45 ms of the run's own CPU in 145 ms of wall time, while V8's background
    // threads (and other processes) made the process's CPU 142 ms.
    const { now, readings } = clocks(true);
    const budget = new CpuBudget(50, readings);
    budget.start();
    Object.assign(now, { wall: 145, thread: 45, process: 142 });
    expect(budget.exceeded()).toBe(false);
  });

  it('stops a run once its own thread has used the limit', () => {
    const { now, readings } = clocks(true);
    const budget = new CpuBudget(50, readings);
    Object.assign(now, { wall: 1_000, thread: 300, process: 900 });
    budget.start();
    Object.assign(now, { wall: 1_049, thread: 349, process: 949 });
    expect(budget.exceeded()).toBe(false);
    Object.assign(now, { wall: 1_060, thread: 351, process: 960 });
    expect(budget.exceeded()).toBe(true);
  });

  it('never stops a run before the limit has passed on the wall clock', () => {
    const { now, readings } = clocks(true);
    const budget = new CpuBudget(50, readings);
    budget.start();
    Object.assign(now, { wall: 40, thread: 40, process: 400 });
    expect(budget.exceeded()).toBe(false);
  });

  it("falls back to the process's CPU time where the thread's cannot be read", () => {
    const { now, readings } = clocks(false);
    const budget = new CpuBudget(50, readings);
    budget.start();
    Object.assign(now, { wall: 60, process: 45 });
    expect(budget.exceeded()).toBe(false);
    Object.assign(now, { wall: 70, process: 55 });
    expect(budget.exceeded()).toBe(true);
  });

  it('starts afresh for every run', () => {
    const { now, readings } = clocks(true);
    const budget = new CpuBudget(50, readings);
    budget.start();
    Object.assign(now, { wall: 100, thread: 100, process: 100 });
    expect(budget.exceeded()).toBe(true);
    budget.start();
    Object.assign(now, { wall: 110, thread: 110, process: 110 });
    expect(budget.exceeded()).toBe(false);
  });
});
