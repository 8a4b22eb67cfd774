import { Injectable } from '@nestjs/common';
import { ApplicationDirectory } from '../applications/application-directory';
import { AuditService } from '../audit/audit.service';
import { newRowId } from '../common/database/row-id';
import { AppConfig } from '../config/app-config';
import { EndpointService } from '../endpoints/endpoint.service';
import { EventStoreRepository } from '../events/event-store.repository';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeliveryRepository, Transition } from './delivery.repository';
import { EndpointAuthorizer } from './endpoint-authorizer';

/** The claim outlives the attempt's timeout by this much, to record it. */
const CLAIM_MARGIN_MS = 30_000;

/** `POST /endpoints/:id/test` answers with the attempt it made. */
export interface EndpointTestResult {
  eventId: string;
  deliveryId: string;
  outcome: string;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * One signed test event to one endpoint, sent while the operator waits (contract §6.6). It is recorded like any
 * event (integration `hookgate`, its delivery and attempt), but never fanned out: it is stored with its only
 * delivery already created. One attempt: it succeeds or is dead-lettered (it can be redriven like any other).
 * Paused or disabled endpoints can be tested too: that is how an operator checks a receiver before resuming it; an
 * endpoint of a disabled application cannot (it gets nothing new).
 */
@Injectable()
export class EndpointTestService {
  constructor(
    private readonly config: AppConfig,
    private readonly endpoints: EndpointService,
    private readonly events: EventStoreRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly authorizer: EndpointAuthorizer,
    private readonly deadLetters: DeadLetterQueue,
    private readonly audit: AuditService,
    private readonly applications: ApplicationDirectory,
  ) {}

  async test(endpointId: string, type: string, actor: string): Promise<EndpointTestResult> {
    const { applicationId } = await this.endpoints.require(endpointId);
    await this.applications.assertDeliversTo(applicationId);
    const eventId = newRowId();
    const data = { endpointId, message: 'A test event sent from Hookgate', requestedBy: actor };
    await this.events.storeInternal({
      eventId,
      type,
      externalId: `test-${eventId}`,
      data,
      traceparent: captureTraceContext().traceparent ?? null,
      status: 'processing',
      about: { endpointId },
    });
    const [{ id: deliveryId }] = await this.deliveries.createForEvent(eventId, [endpointId]);
    const claimed = await this.deliveries.claim(
      deliveryId,
      `test-${deliveryId}`,
      this.config.delivery.timeoutMs + CLAIM_MARGIN_MS,
    );
    if (!claimed || typeof claimed === 'string')
      throw new Error(`the test delivery ${deliveryId} could not be claimed (${claimed})`);
    const { endpoint } = claimed;

    const timeoutMs = endpoint.timeoutMs ?? this.config.delivery.timeoutMs;
    const result = await this.authorizer.send(endpointId, endpoint.auth, {
      deliveryId,
      url: endpoint.url,
      payload: claimed.payload,
      secrets: [endpoint.secret],
      timeoutMs,
      headers: endpoint.headers,
    });
    const transition: Transition =
      result.outcome === 'succeeded'
        ? { status: 'succeeded' }
        : { status: 'dead_lettered', reason: `test attempt failed: ${result.error}` };
    await this.deliveries.recordAttempt(claimed, `test-${deliveryId}`, result, transition);
    if (transition.status === 'dead_lettered')
      await this.deadLetters.park([{ id: deliveryId, reason: transition.reason }]);
    await this.audit.record({
      actor,
      action: 'endpoint.tested',
      applicationId,
      eventId,
      subjectType: 'endpoint',
      subjectId: endpointId,
      details: { type, deliveryId, responseStatus: result.responseStatus, outcome: result.outcome },
    });
    return {
      eventId,
      deliveryId,
      outcome: result.outcome,
      responseStatus: result.responseStatus,
      durationMs: result.durationMs,
      error: result.error,
    };
  }
}
