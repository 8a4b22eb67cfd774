import { Injectable, Logger } from '@nestjs/common';
import { newRowId } from '../common/database/row-id';
import { HOOKGATE_INTEGRATION } from '../endpoints/endpoint-filter';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { EventStoreRepository } from './event-store.repository';
import { EventWriter } from './event-writer.service';

/** Hookgate's own events (contract §6.6), delivered to endpoints whose filter names them. */
export type OperationalEventType =
  | 'hookgate.endpoint.paused'
  | 'hookgate.endpoint.resumed'
  | 'hookgate.endpoint.disabled'
  | 'hookgate.delivery.dead_lettered'
  | 'hookgate.replay.completed';

/**
 * Emits an operational event through the normal pipeline: stored in the application of the endpoint or replay it is
 * about (integration and provider `hookgate`), handed to the fan-out, then signed, retried and searchable like any
 * event. `data.endpointId` names the endpoint it is about, which the fan-out skips while that endpoint is paused or
 * disabled. Emitting never fails the caller: an event stored but not handed over is handed over by the outbox relay.
 */
@Injectable()
export class OperationalEvents {
  private readonly logger = new Logger(OperationalEvents.name);

  constructor(
    private readonly store: EventStoreRepository,
    private readonly writer: EventWriter,
  ) {}

  async emit(type: OperationalEventType, data: Record<string, unknown>): Promise<void> {
    const eventId = newRowId();
    const traceparent = captureTraceContext().traceparent ?? null;
    const about = {
      endpointId: typeof data.endpointId === 'string' ? data.endpointId : undefined,
      replayRequestId: typeof data.replayRequestId === 'string' ? data.replayRequestId : undefined,
    };
    try {
      const { applicationId } = await this.store.storeInternal({
        eventId,
        type,
        externalId: eventId,
        data,
        traceparent,
        status: 'received',
        about,
      });
      await this.writer.handOff([{ eventId, applicationId, type, integration: HOOKGATE_INTEGRATION, traceparent }]);
    } catch (error) {
      this.logger.warn({ message: 'operational event not emitted', type, error: (error as Error).message });
    }
  }
}
