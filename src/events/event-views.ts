import { EventListRow } from './event-query.repository';

type Detail = NonNullable<Awaited<ReturnType<import('./event-query.repository').EventQueryRepository['findDetail']>>>;

export function listItem(row: EventListRow) {
  return {
    id: row.id,
    application: row.application,
    integration: row.integration,
    provider: row.provider,
    type: row.type,
    externalId: row.externalId,
    orderingKey: row.orderingKey,
    status: row.status,
    occurredAt: row.occurredAt?.toISOString() ?? null,
    receivedAt: row.receivedAt.toISOString(),
  };
}

/**
 * Headers that carry a credential (globex's token is the integration's secret) or a provider's signature
 * (`stripe-signature`, `x-hub-signature-256`, `paypal-transmission-sig`, `webhook-signature`…).
 */
const SENSITIVE_HEADER = /sig(nature)?\b|-sig$|token|authorization|cookie|api-key|password|secret/i;

/** Raw headers as received; for keys below admin, credentials and signatures are redacted (contract §6.4). */
export function visibleHeaders(headers: unknown, revealSensitive: boolean): Record<string, unknown> {
  const entries = Object.entries((headers ?? {}) as Record<string, unknown>);
  return Object.fromEntries(
    revealSensitive
      ? entries
      : entries.map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? '[redacted]' : value]),
  );
}

/** The body exactly as received: as text when the bytes are valid UTF-8, base64 otherwise. */
function rawBody(bytes: Uint8Array): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const buffer = Buffer.from(bytes);
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(buffer), bodyEncoding: 'utf8' };
  } catch {
    return { body: buffer.toString('base64'), bodyEncoding: 'base64' };
  }
}

export function detailView(
  event: Detail,
  replays: { id: string; actor: string; reason: string; status: string; createdAt: Date }[],
  audit: {
    id: string;
    at: Date;
    actor: string;
    action: string;
    subjectType: string;
    subjectId: string;
    details: unknown;
  }[],
  options: { revealSensitiveHeaders: boolean },
) {
  return {
    ...listItem({
      ...event,
      application: event.integration.application.uid,
      integration: event.integration.slug,
      orderingKey: orderingKeyOf(event),
      status: event.status,
    }),
    data: event.data,
    traceparent: event.traceparent,
    // Null once RETENTION_RAW_AFTER has purged the raw request.
    raw: event.rawWebhook
      ? {
          headers: visibleHeaders(event.rawWebhook.headers, options.revealSensitiveHeaders),
          ...rawBody(event.rawWebhook.body),
          sourceIp: event.rawWebhook.sourceIp,
        }
      : null,
    deliveries: event.deliveries.map((delivery) => ({
      id: delivery.id,
      endpointId: delivery.endpointId,
      status: delivery.status,
      attemptCount: delivery.attemptCount,
      attempts: delivery.attempts.map((attempt) => ({
        number: attempt.number,
        responseStatus: attempt.responseStatus,
        error: attempt.error,
        durationMs: attempt.durationMs,
        startedAt: attempt.startedAt.toISOString(),
      })),
    })),
    replays: replays.map((replay) => ({
      id: replay.id,
      actor: replay.actor,
      reason: replay.reason,
      status: replay.status,
      createdAt: replay.createdAt.toISOString(),
    })),
    audit: audit.map((entry) => ({
      id: entry.id,
      at: entry.at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details,
    })),
  };
}

/** What a FIFO endpoint orders the event by (§7.5); events stored before ordering existed, by their integration. */
export function orderingKeyOf(event: { orderingKey: string | null; integration: { slug: string } }): string {
  return event.orderingKey ?? event.integration.slug;
}
