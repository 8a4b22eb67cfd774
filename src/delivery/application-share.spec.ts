import type { ApplicationBacklogs } from '../applications/application-backlogs';
import type { AppConfig } from '../config/app-config';
import { ApplicationShare } from './application-share';

function shareOf(applicationsWithWork: number, slots = 20) {
  const backlogs = { applicationsWithWork: () => applicationsWithWork } as unknown as ApplicationBacklogs;
  return new ApplicationShare(backlogs, { delivery: { concurrency: slots } } as AppConfig);
}

/** Takes slots for `application` until one is refused; returns how many it got. */
function fill(share: ApplicationShare, application: string, upTo = 100): number {
  let taken = 0;
  while (taken < upTo && share.take(application)) taken += 1;
  return taken;
}

describe('ApplicationShare', () => {
  it('lets an application alone take every slot', () => {
    expect(fill(shareOf(1), 'a', 25)).toBe(25);
  });

  it('keeps a reserve of a tenth of the slots free while other applications have work', () => {
    const share = shareOf(2);
    expect(fill(share, 'busy')).toBe(18);
    // The quiet application gets the reserve (every slot is then in use), and more as the busy one's attempts end.
    expect(share.take('quiet')).toBe(true);
    expect(share.take('quiet')).toBe(true);
    share.release('busy');
    expect(share.take('busy')).toBe(false);
    expect(share.take('quiet')).toBe(true);
  });

  it('settles two backlogged applications at about their fair shares', () => {
    const share = shareOf(2);
    fill(share, 'a');
    // As a's attempts end, each freed slot goes to whichever job comes next; a's are refused, b's taken up to b's share.
    for (let round = 0; round < 20; round += 1) {
      share.release('a');
      for (const application of ['a', 'b']) share.take(application);
    }
    const held = (application: string) =>
      (share as unknown as { inFlight: Map<string, number> }).inFlight.get(application);
    expect(held('b')).toBeGreaterThanOrEqual(10);
    expect(held('a')).toBeGreaterThanOrEqual(8);
  });

  it('gives a busy application all but the reserve however many others have a little work', () => {
    const share = shareOf(1_000);
    expect(fill(share, 'busy')).toBe(18);
    for (const light of ['l1', 'l2']) expect(share.take(light)).toBe(true);
  });
});
