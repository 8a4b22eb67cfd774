/** A webhook request as received: lower-cased headers and the exact body bytes. */
export interface RawWebhookRequest {
  headers: Record<string, string | undefined>;
  body: Buffer;
  receivedAt: Date;
}

/** What an adapter needs of an integration: the secrets valid now (current first, then a rotated-out one) and limits. */
export interface VerificationContext {
  /** The integration's id: what an adapter remembers per integration is keyed by it (slugs repeat across applications). */
  integrationId: string;
  secrets: string[];
  toleranceSeconds: number;
}

/** The provider-independent result of verification: the canonical event's provider-specific parts. */
export interface NormalizedWebhook {
  type: string;
  /** The provider's own id of this event; null when the provider has none (the body hash is used then). */
  externalId: string | null;
  occurredAt: Date | null;
  /**
   * What orders this event's deliveries to `fifo` endpoints (§7.5): the object or stream it is about. Absent: the
   * ingress uses the event's integration.
   */
  orderingKey?: string | null;
  /** The payload: the JSON body as parsed (the ingress has PostgreSQL parse it again from the raw bytes it stores). */
  data: unknown;
}

/**
 * One provider's scheme: verify the raw request with the provider's own signature rules, then normalize it.
 * Throws an IngressRejection (401/400, or 503 when a dependency such as PayPal's certificate host fails).
 */
export interface WebhookProvider {
  readonly name: string;
  verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook>;
}
