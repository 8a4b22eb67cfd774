/** One verified webhook ready to be stored: raw request, normalized event and the ids chosen for them. */
export interface IncomingEvent {
  eventId: string;
  rawWebhookId: string;
  integrationId: string;
  integrationSlug: string;
  applicationId: string;
  provider: string;
  type: string;
  externalId: string | null;
  idempotencyKey: string;
  /** What orders its deliveries to `fifo` endpoints (§7.5): the provider's (or message's) key, else the integration. */
  orderingKey: string;
  occurredAt: Date | null;
  receivedAt: Date;
  data: unknown;
  /** `data` is the body as PostgreSQL parses it (UTF-8, nothing jsonb refuses): the body travels once, not twice. */
  dataFromBody: boolean;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string | null;
  traceparent: string | null;
  /**
   * The endpoints the ingress routed the event to: its deliveries are created in the same statement (the event is
   * then `processing`, or `no_subscribers` when none). Absent: the event is stored `received` for the worker's fan-out.
   */
  routes?: { endpointId: string; maxAttempts: number | null; fifo: boolean }[];
}

/** The stored outcome: a new event, or the id of the first event with the same idempotency key. */
export interface StoreResult {
  eventId: string;
  duplicate: boolean;
  /** The deliveries created with a new routed event. */
  deliveries?: { id: string; endpointId: string }[];
}

/** An accepted event still waiting to be handed to BullMQ. */
export interface PendingHandOff {
  eventId: string;
  /** The application of its integration: the event is routed to that application's endpoints only. */
  applicationId: string;
  type: string;
  /** The integration's slug. */
  integration: string;
  traceparent: string | null;
}

/** What routes an event to endpoints. */
export interface EventRouting {
  applicationId: string;
  type: string;
  integration: string;
}
