import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { duplicateClient, RedisClient } from './redis-options';
import { REDIS, RedisKeys } from './redis-client';

/** What changed; each process drops its cached copy of it. */
export type ChangedTopic = 'applications' | 'endpoints' | 'event-types' | 'integrations';

/**
 * Tells every Hookgate process sharing this Redis that a cached table changed (Redis pub/sub), so caches on the
 * hot paths are dropped on change rather than on a short timer. A message lost while Redis is down is covered by
 * the caches' own expiry.
 */
@Injectable()
export class ChangeFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  private subscriber?: RedisClient;
  private readonly handlers = new Map<string, (() => void)[]>();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Announces a change, here at once and to the other processes through Redis; never fails the caller (their
   * caches expire on their own).
   */
  async publish(topic: ChangedTopic): Promise<void> {
    this.handlers.get(this.channel(topic))?.forEach((run) => run());
    await this.redis
      .publish(this.channel(topic), String(Date.now()))
      .catch((error: Error) => this.logger.warn(`change of ${topic} not announced: ${error.message}`));
  }

  onChange(topic: ChangedTopic, handler: () => void): void {
    const channel = this.channel(topic);
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
    if (!this.subscriber) {
      // Subscribing takes a connection of its own; it queues commands while reconnecting, unlike the shared client.
      this.subscriber = duplicateClient(this.redis, {
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        commandTimeout: undefined,
      });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (name: string) => this.handlers.get(name)?.forEach((run) => run()));
    }
    this.subscriber
      .subscribe(channel)
      .catch((error: Error) => this.logger.warn(`not subscribed to ${topic} changes: ${error.message}`));
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  private channel(topic: ChangedTopic): string {
    return this.keys.key('changes', topic);
  }
}

/** A service whose methods announce changes has its ChangeFeed as `changes`. */
export interface AnnouncingService {
  readonly changes: ChangeFeed;
}

/**
 * After the method returns (placed above `@Transactional()`: after the commit), tells every process that `topic`
 * changed, so no process caches the old state beyond the message's way through Redis.
 */
export function AnnouncesChange(topic: ChangedTopic) {
  return <A extends unknown[], R>(
    _target: AnnouncingService,
    _key: string,
    descriptor: TypedPropertyDescriptor<(...args: A) => Promise<R>>,
  ) => {
    const original = descriptor.value!;
    descriptor.value = async function (this: AnnouncingService, ...args: A): Promise<R> {
      const result = await original.apply(this, args);
      await this.changes.publish(topic);
      return result;
    };
  };
}
