import { Injectable, Logger } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_EVENT_ID } from '../common/context/request-context';
import { newRowId } from '../common/database/row-id';
import { EventRouter } from '../endpoints/event-router';
import { IncomingEvent } from '../events/event-store.types';
import { EventWriter } from '../events/event-writer.service';
import { MetricsService } from '../observability/metrics/metrics.service';
import { captureTraceContext, inSpan } from '../observability/tracing/trace-context';
import { IngressRejection } from '../providers/ingress-rejection';
import { IntegrationResolver, ResolvedIntegration } from '../providers/integrations/integration-resolver';
import { ProviderRegistry } from '../providers/provider.registry';
import { NormalizedWebhook, RawWebhookRequest } from '../providers/provider.types';
import { WindowCounter } from '../common/redis/window-counter';
import { AppConfig } from '../config/app-config';
import { bodyHashKey } from './canonical-json';
import { assertStorableIdentifier, bodyIsStorableJson, storableJson } from './storable-json';
import { WebhookRateLimiter } from './webhook-rate-limiter';
import { EventTypeSchemas } from '../event-types/event-type-schemas';
import type { RoutedEvent } from '../endpoints/event-router';

/** A webhook as it arrives: the body is read only once the integration (and so its size limit) is known. */
export interface IngressRequest {
  /** The uid of the application the URL names (`default` for one-segment URLs). */
  application: string;
  slug: string;
  headers: RawWebhookRequest['headers'];
  /** Reads the body, refusing (413) anything beyond `maxBytes` while reading. */
  readBody: (maxBytes: number) => Promise<Buffer>;
  receivedAt: Date;
  sourceIp: string | null;
}

/** The contract's answer to an accepted or duplicate webhook. */
export interface IngressAnswer {
  eventId: string;
  status: 'accepted' | 'duplicate';
  duplicate: boolean;
}

/** Metric label of requests to slugs that name no integration: random slugs must not grow /metrics. */
const UNKNOWN_INTEGRATION = 'unknown';

/**
 * POST /webhooks/:integration, in the contract's order: the integration, the body (within its size limit),
 * verification, the integration's rate limit (counting only verified requests), then the durable write (which
 * also decides duplicates through PostgreSQL's unique index) and the hand-off to the worker.
 */
@Injectable()
export class IngressService {
  private readonly logger = new Logger(IngressService.name);

  constructor(
    private readonly integrations: IntegrationResolver,
    private readonly providers: ProviderRegistry,
    private readonly rateLimiter: WebhookRateLimiter,
    private readonly writer: EventWriter,
    private readonly router: EventRouter,
    private readonly metrics: MetricsService,
    private readonly cls: ClsService,
    private readonly counters: WindowCounter,
    private readonly config: AppConfig,
    private readonly schemas: EventTypeSchemas,
  ) {}

  async receive(request: IngressRequest): Promise<IngressAnswer> {
    const started = performance.now();
    let label = UNKNOWN_INTEGRATION;
    try {
      const resolved = await this.integrations.resolve(request.application, request.slug, request.receivedAt);
      if (!resolved || !resolved.integration.enabled)
        throw new IngressRejection('unknown_integration', `No enabled integration "${request.slug}"`);
      label = resolved.integration.slug;
      const answer = await this.accept(request, resolved);
      this.metrics.ingressRequests.inc({ integration: label, outcome: answer.status });
      return answer;
    } catch (error) {
      const outcome = error instanceof IngressRejection ? error.reason : 'error';
      this.metrics.ingressRequests.inc({ integration: label, outcome });
      if (error instanceof IngressRejection) {
        this.logger.log({
          message: 'webhook rejected',
          integration: request.slug.slice(0, 100),
          reason: error.reason,
          detail: error.message,
          sourceIp: request.sourceIp,
        });
      }
      throw error;
    } finally {
      this.metrics.ingressDuration.observe({ integration: label }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Verification, limited per source IP: an address whose requests keep failing it gets 429 before any more work,
   * so a flood of forged requests cannot spend the integration's own rate limit or the process (contract §6.2).
   */
  private async verify(
    request: IngressRequest,
    verification: () => Promise<NormalizedWebhook>,
  ): Promise<NormalizedWebhook> {
    const limit = this.config.ingressRejectedPerIpPerMinute;
    const rejections = ['ingress-rejected', request.sourceIp ?? 'unknown'];
    const standing = this.counters.check(rejections);
    if (standing.blocked)
      throw new IngressRejection(
        'rate_limited',
        `More than ${limit} refused webhooks per minute from this address`,
        standing.retryAfterSeconds,
      );
    try {
      return await verification();
    } catch (error) {
      if (
        error instanceof IngressRejection &&
        (error.reason === 'verification_failed' || error.reason === 'stale_timestamp')
      ) {
        await this.counters.hit(rejections, limit, 60_000);
      }
      throw error;
    }
  }

  /**
   * The endpoints the event goes to (cached endpoints, payload filters against the envelope in hand), so the event's
   * deliveries are created in its own commit; none when the endpoints cannot be read now, and the worker's fan-out
   * routes the event instead.
   */
  private async routesFor(
    routing: RoutedEvent,
    envelope: () => Record<string, unknown>,
  ): Promise<IncomingEvent['routes']> {
    try {
      const endpoints = await this.router.route(routing, envelope);
      return endpoints.map((endpoint) => ({
        endpointId: endpoint.id,
        maxAttempts: endpoint.maxAttempts,
        fifo: endpoint.ordering === 'fifo',
      }));
    } catch (error) {
      this.logger.warn({
        message: 'endpoints unavailable; the worker routes the event',
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  private async accept(
    request: IngressRequest,
    { integration, application, secrets }: ResolvedIntegration,
  ): Promise<IngressAnswer> {
    const encoding = request.headers['content-encoding'];
    if (encoding && encoding.trim().toLowerCase() !== 'identity') {
      // The signature covers the bytes as sent; a decoded body is not what was signed, and may be far larger.
      throw new IngressRejection(
        'unsupported_encoding',
        `Content-Encoding "${encoding.slice(0, 40)}" is not accepted; send the body as is`,
      );
    }
    const body = await request.readBody(integration.maxBodyBytes);
    const raw: RawWebhookRequest = { headers: request.headers, body, receivedAt: request.receivedAt };

    const provider = this.providers.get(integration.provider);
    if (!provider)
      throw new IngressRejection('unknown_integration', `Integration "${request.slug}" names an unknown provider`);
    const normalized = await this.verify(request, () =>
      inSpan('ingress.verify', { 'hookgate.integration': integration.slug, 'hookgate.provider': provider.name }, () =>
        provider.verify(raw, {
          integrationId: integration.id,
          secrets,
          toleranceSeconds: integration.toleranceSeconds,
        }),
      ),
    );
    await this.rateLimiter.checkApplication(application.id, application.rateLimitPerSecond);
    await this.rateLimiter.checkIntegration(integration.id, integration.rateLimitPerMinute);
    // A generic message must satisfy its type's schema (§7.3); provider webhooks are never refused by one.
    if (provider.name === 'generic') {
      const errors = await this.schemas.errorsOf(application.id, normalized.type, normalized.data);
      if (errors.length)
        throw new IngressRejection(
          'schema_mismatch',
          `The payload does not match the schema of event type ${normalized.type.slice(0, 200)}`,
          undefined,
          { errors },
        );
    }
    // What PostgreSQL would refuse is refused (400) or made storable here, so a batch never fails for one webhook.
    assertStorableIdentifier('The event type', normalized.type);
    assertStorableIdentifier('The external id', normalized.externalId);
    assertStorableIdentifier('The ordering key', normalized.orderingKey ?? null);
    const data = storableJson(normalized.data);
    const dataFromBody = bodyIsStorableJson(body);
    const idempotencyKey = normalized.externalId ?? bodyHashKey(data);

    const eventId = newRowId();
    // The envelope is built only when an endpoint filters on the payload.
    const routing = { applicationId: integration.applicationId, type: normalized.type, integration: integration.slug };
    const routes = await this.routesFor(routing, () => ({
      id: eventId,
      type: normalized.type,
      integration: integration.slug,
      provider: provider.name,
      externalId: normalized.externalId,
      occurredAt: normalized.occurredAt?.toISOString() ?? null,
      receivedAt: request.receivedAt.toISOString(),
      data,
    }));
    const stored = await inSpan('ingress.persist', { 'hookgate.integration': integration.slug }, () =>
      this.writer.write({
        eventId,
        rawWebhookId: newRowId(),
        integrationId: integration.id,
        integrationSlug: integration.slug,
        applicationId: integration.applicationId,
        provider: provider.name,
        type: normalized.type,
        externalId: normalized.externalId,
        idempotencyKey,
        orderingKey: normalized.orderingKey ?? integration.slug,
        occurredAt: normalized.occurredAt,
        receivedAt: request.receivedAt,
        data,
        dataFromBody,
        headers: request.headers as Record<string, string>,
        body,
        sourceIp: request.sourceIp,
        traceparent: captureTraceContext().traceparent ?? null,
        routes,
      }),
    );
    this.cls.set(CONTEXT_EVENT_ID, stored.eventId);
    return stored.duplicate
      ? { eventId: stored.eventId, status: 'duplicate', duplicate: true }
      : { eventId: stored.eventId, status: 'accepted', duplicate: false };
  }
}
