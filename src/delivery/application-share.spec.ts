import type { ApplicationBacklogs } from '../applications/application-backlogs';
import type { AppConfig } from '../config/app-config';
import { ApplicationShare } from './application-share';

function shareOf(applicationsWithWork: number, slots = 20) {
  const backlogs = {
    applicationsWithWork: () => applicationsWithWork,
    noteWorking: () => undefined,
  } as unknown as ApplicationBacklogs;
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

  it('keeps an application to half the slots while others have work, however many they are', () => {
    for (const others of [2, 3, 1_000]) {
      const share = shareOf(others);
      expect(fill(share, 'busy')).toBe(10);
      expect(fill(share, 'quiet', 10)).toBe(10);
      share.release('busy');
      expect(share.take('busy')).toBe(true);
      expect(share.take('busy')).toBe(false);
    }
  });

  it('keeps one slot for an application of a worker with one or two slots', () => {
    expect(fill(shareOf(2, 1), 'a')).toBe(1);
    expect(fill(shareOf(2, 3), 'a')).toBe(1);
  });
});
