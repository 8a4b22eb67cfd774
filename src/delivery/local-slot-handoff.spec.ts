import { FAST_ATTEMPT_MS, LocalSlotHandoff } from './local-slot-handoff';

describe('LocalSlotHandoff', () => {
  it('lets a job hold only once an attempt of its endpoint is in flight here and the endpoint answers fast', () => {
    const handoff = new LocalSlotHandoff();
    expect(handoff.mayHold('a')).toBe(false);
    handoff.started('a');
    // No attempt has ended yet: how long a slot is held is unknown, so nobody holds.
    expect(handoff.mayHold('a')).toBe(false);
    handoff.finished('a', 5);
    expect(handoff.mayHold('a')).toBe(false);
    handoff.started('a');
    expect(handoff.mayHold('a')).toBe(true);
    expect(handoff.mayHold('b')).toBe(false);
  });

  it('never lets more jobs hold than attempts are in flight, so each holder expects a slot', () => {
    const handoff = new LocalSlotHandoff();
    handoff.started('a');
    handoff.finished('a', 2);
    handoff.started('a');
    void handoff.hold('a', 1_000);
    expect(handoff.mayHold('a')).toBe(false);
    handoff.started('a');
    expect(handoff.mayHold('a')).toBe(true);
    handoff.finished('a', 2);
    handoff.finished('a', 2);
  });

  it('wakes the longest-waiting holder when an attempt ends', async () => {
    const handoff = new LocalSlotHandoff();
    handoff.started('a');
    handoff.started('a');
    const woken: string[] = [];
    const first = handoff.hold('a', 5_000).then((value) => woken.push(`first:${value}`));
    const second = handoff.hold('a', 5_000).then((value) => woken.push(`second:${value}`));
    handoff.finished('a', 3);
    await first;
    expect(woken).toEqual(['first:true']);
    handoff.finished('a', 3);
    await second;
    expect(woken).toEqual(['first:true', 'second:true']);
  });

  it('gives up a hold after its timeout, and the next attempt to end wakes nobody stale', async () => {
    const handoff = new LocalSlotHandoff();
    handoff.started('a');
    await expect(handoff.hold('a', 10)).resolves.toBe(false);
    const later = handoff.hold('a', 5_000);
    handoff.finished('a', 3);
    await expect(later).resolves.toBe(true);
  });

  it('learns nothing from a slot given back without an attempt', () => {
    const handoff = new LocalSlotHandoff();
    handoff.started('a');
    handoff.finished('a', 2_000);
    // Slots given back at once, without a request sent, do not make a slow endpoint look fast.
    for (let index = 0; index < 30; index += 1) {
      handoff.started('a');
      handoff.finished('a');
    }
    handoff.started('a');
    expect(handoff.mayHold('a')).toBe(false);
  });

  it('stops holding for an endpoint whose slots are held long (a slow endpoint keeps no worker slots)', () => {
    const handoff = new LocalSlotHandoff();
    handoff.started('slow');
    handoff.finished('slow', 2_000);
    handoff.started('slow');
    expect(handoff.mayHold('slow')).toBe(false);
    // A few fast attempts bring the average back under the bound.
    for (let index = 0; index < 30; index += 1) {
      handoff.started('slow');
      handoff.finished('slow', 1);
    }
    expect(handoff.mayHold('slow')).toBe(true);
    handoff.started('fast');
    handoff.finished('fast', FAST_ATTEMPT_MS + 1);
    handoff.started('fast');
    expect(handoff.mayHold('fast')).toBe(false);
  });
});
