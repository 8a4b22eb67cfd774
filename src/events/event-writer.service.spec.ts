import { EventStoreRepository } from './event-store.repository';
import { IncomingEvent, StoreResult } from './event-store.types';
import { EventWriter } from './event-writer.service';
import { JobQueue } from '../queue/job-queue.service';
import { ApplicationBacklogs } from '../applications/application-backlogs';

/** A store that refuses any batch holding a "poison" item, as PostgreSQL refuses a whole statement. */
class PickyStore {
  readonly batches: string[][] = [];
  readonly queued: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** While set, commits wait for it (a commit the test holds open); otherwise a commit takes 5 ms. */
  held?: Promise<void>;

  async storeBatch(items: IncomingEvent[]): Promise<StoreResult[]> {
    this.batches.push(items.map((item) => item.eventId));
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    await (this.held ?? new Promise((resolve) => setTimeout(resolve, 5))); // a commit takes a while
    this.inFlight -= 1;
    if (items.some((item) => item.type === 'poison')) throw new Error('invalid input syntax for type json');
    return items.map((item) => ({ eventId: item.eventId, duplicate: item.type === 'dup' }));
  }

  async markQueued(ids: string[]): Promise<void> {
    this.queued.push(...ids);
  }
}

const item = (eventId: string, type = 'ok', applicationId = 'app-1') =>
  ({ eventId, type, applicationId }) as IncomingEvent;

describe('EventWriter', () => {
  let store: PickyStore;
  let handedOver: string[];
  let writer: EventWriter;
  let announced: string[][];

  beforeEach(() => {
    announced = [];
    const backlogs = { announce: (ids: Iterable<string>) => announced.push([...ids]) };
    store = new PickyStore();
    handedOver = [];
    const jobs = {
      addBulk: async (_name: string, jobs: { data: { eventId: string } }[]) =>
        handedOver.push(...jobs.map((job) => job.data.eventId)),
    };
    writer = new EventWriter(
      store as unknown as EventStoreRepository,
      jobs as unknown as JobQueue,
      backlogs as unknown as ApplicationBacklogs,
    );
  });

  it('stores webhooks that arrive together in one batch and hands the new ones over', async () => {
    const results = await Promise.all([
      writer.write(item('a')),
      writer.write(item('b', 'dup')),
      writer.write(item('c')),
    ]);
    expect(results).toEqual([
      { eventId: 'a', duplicate: false },
      { eventId: 'b', duplicate: true },
      { eventId: 'c', duplicate: false },
    ]);
    expect(store.batches).toEqual([['a', 'b', 'c']]);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the hand-off runs after the answers
    expect(handedOver).toEqual(['a', 'c']);
    expect(store.queued).toEqual(['a', 'c']);
  });

  it('announces the applications whose new webhooks have deliveries coming, not those of duplicates', async () => {
    await Promise.all([
      writer.write(item('a', 'ok', 'tenant-a')),
      writer.write(item('b', 'dup', 'tenant-b')),
      writer.write(item('c', 'ok', 'tenant-c')),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the hand-off runs after the answers
    expect(announced).toEqual([['tenant-a', 'tenant-c']]);
  });

  it('when a batch fails, stores its items one by one so only the culprit fails', async () => {
    const outcomes = await Promise.allSettled([
      writer.write(item('a')),
      writer.write(item('bad', 'poison')),
      writer.write(item('c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as Error).message).toContain('invalid input syntax');
    expect(store.batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('commits one batch at a time; webhooks arriving meanwhile form the next batch', async () => {
    // The first commit is held open until b and c have arrived (a timer here raced a loaded machine's event loop).
    let commit!: () => void;
    store.held = new Promise<void>((resolve) => (commit = resolve));
    const first = writer.write(item('a'));
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is committing
    const later = [writer.write(item('b'))];
    await new Promise((resolve) => setImmediate(resolve));
    later.push(writer.write(item('c')));
    expect(store.batches).toEqual([['a']]);
    store.held = undefined;
    commit();
    await Promise.all([first, ...later]);
    expect(store.batches).toEqual([['a'], ['b', 'c']]);
    expect(store.maxInFlight).toBe(1);
  });
});
