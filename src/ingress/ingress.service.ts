import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_EVENT_ID } from '../common/context/request-context';
import { EventWriter } from '../events/event-writer.service';
import { MetricsService } from '../observability/metrics/metrics.service';
import { captureTraceContext, inSpan } from '../observability/tracing/trace-context';
import { IngressRejection } from '../providers/ingress-rejection';
import { IntegrationResolver } from '../providers/integrations/integration-resolver';
import { ProviderRegistry } from '../providers/provider.registry';
import { RawWebhookRequest } from '../providers/provider.types';
import { bodyHashKey } from './canonical-json';
import { assertStorableIdentifier, storableJson } from './storable-json';
import { WebhookRateLimiter } from './webhook-rate-limiter';

export interface IngressRequest extends RawWebhookRequest {
  slug: string;
  sourceIp: string | null;
}

/** The contract's answer to an accepted or duplicate webhook. */
export interface IngressAnswer {
  eventId: string;
  status: 'accepted' | 'duplicate';
  duplicate: boolean;
}

/**
 * POST /webhooks/:integration: limits, verification, then the durable write (which also decides duplicates through
 * PostgreSQL's unique index) and the hand-off to the worker.
 */
@Injectable()
export class IngressService {
  private readonly logger = new Logger(IngressService.name);

  constructor(
    private readonly integrations: IntegrationResolver,
    private readonly providers: ProviderRegistry,
    private readonly rateLimiter: WebhookRateLimiter,
    private readonly writer: EventWriter,
    private readonly metrics: MetricsService,
    private readonly cls: ClsService,
  ) {}

  async receive(request: IngressRequest): Promise<IngressAnswer> {
    const stopTimer = this.metrics.ingressDuration.startTimer({ integration: request.slug });
    try {
      const answer = await this.accept(request);
      this.metrics.ingressRequests.inc({ integration: request.slug, outcome: answer.status });
      return answer;
    } catch (error) {
      const outcome = error instanceof IngressRejection ? error.reason : 'error';
      this.metrics.ingressRequests.inc({ integration: request.slug, outcome });
      if (error instanceof IngressRejection) {
        this.logger.log({ message: 'webhook rejected', integration: request.slug, reason: error.reason, detail: error.message, sourceIp: request.sourceIp });
      }
      throw error;
    } finally {
      stopTimer();
    }
  }

  private async accept(request: IngressRequest): Promise<IngressAnswer> {
    const resolved = await this.integrations.resolve(request.slug, request.receivedAt);
    if (!resolved || !resolved.integration.enabled) throw new IngressRejection('unknown_integration', `No enabled integration "${request.slug}"`);
    const { integration, secrets } = resolved;
    if (request.body.length > integration.maxBodyBytes) {
      throw new IngressRejection('payload_too_large', `Body of ${request.body.length} bytes exceeds the limit of ${integration.maxBodyBytes}`);
    }
    await this.rateLimiter.check(integration.id, integration.rateLimitPerMinute);

    const provider = this.providers.get(integration.provider);
    if (!provider) throw new IngressRejection('unknown_integration', `Integration "${request.slug}" names an unknown provider`);
    const normalized = await inSpan('ingress.verify', { 'hookgate.integration': integration.slug, 'hookgate.provider': provider.name }, () =>
      provider.verify(request, { slug: integration.slug, secrets, toleranceSeconds: integration.toleranceSeconds }),
    );
    // What PostgreSQL would refuse is refused (400) or made storable here, so a batch never fails for one webhook.
    assertStorableIdentifier('The event type', normalized.type);
    assertStorableIdentifier('The external id', normalized.externalId);
    const data = storableJson(normalized.data);
    const idempotencyKey = normalized.externalId ?? bodyHashKey(data);

    const eventId = randomUUID();
    const stored = await inSpan('ingress.persist', { 'hookgate.integration': integration.slug }, () =>
      this.writer.write({
        eventId,
        rawWebhookId: randomUUID(),
        integrationId: integration.id,
        integrationSlug: integration.slug,
        provider: provider.name,
        type: normalized.type,
        externalId: normalized.externalId,
        idempotencyKey,
        occurredAt: normalized.occurredAt,
        receivedAt: request.receivedAt,
        data,
        headers: request.headers as Record<string, string>,
        body: request.body,
        sourceIp: request.sourceIp,
        traceparent: captureTraceContext().traceparent ?? null,
      }),
    );
    this.cls.set(CONTEXT_EVENT_ID, stored.eventId);
    return stored.duplicate
      ? { eventId: stored.eventId, status: 'duplicate', duplicate: true }
      : { eventId: stored.eventId, status: 'accepted', duplicate: false };
  }
}
