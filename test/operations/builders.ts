import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../src/common/database/prisma.service';
import { DEFAULT_APPLICATION_ID } from '../../src/common/tenancy/default-application';

/**
 * Builds many stored events quickly with plain SQL (raw webhook + event + optional delivery per event), for
 * tests about search and replay that need thousands of rows but not thousands of HTTP requests.
 */
export class EventsBuilder {
  private type = 'test.event';
  private status = 'delivered';
  private deliveredTo?: string;
  private startAt = new Date('2026-01-01T00:00:00Z');

  constructor(
    private readonly prisma: PrismaService,
    private readonly integrationSlug: string,
  ) {}

  ofType(type: string): this {
    this.type = type;
    return this;
  }

  /** Events left in this status (default `delivered`), e.g. `queued` for one whose processing job was lost. */
  inStatus(status: string): this {
    this.status = status;
    return this;
  }

  deliveredSuccessfullyTo(endpointId: string): this {
    this.deliveredTo = endpointId;
    return this;
  }

  receivedFrom(at: Date): this {
    this.startAt = at;
    return this;
  }

  /** Inserts `count` events one millisecond apart; returns their ids, oldest first. */
  async build(count: number): Promise<string[]> {
    const integration = await this.prisma.integration.findUniqueOrThrow({
      where: { applicationId_slug: { applicationId: DEFAULT_APPLICATION_ID, slug: this.integrationSlug } },
    });
    const ids = Array.from({ length: count }, () => randomUUID());
    const raws = ids.map(() => randomUUID());
    const times = ids.map((_, index) => new Date(this.startAt.getTime() + index));
    await this.prisma.$executeRaw`
      INSERT INTO raw_webhooks (id, integration_id, headers, body, received_at)
      SELECT r, ${integration.id}::uuid, '{}'::jsonb, convert_to('{}', 'UTF8'), t
      FROM unnest(${raws}::uuid[], ${times}::timestamptz[]) AS u(r, t)`;
    await this.prisma.$executeRaw`
      INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status, received_at, data, updated_at,
                          deliveries_succeeded)
      SELECT e, ${integration.id}::uuid, r, ${integration.provider}, ${this.type}, 'ext_' || e::text, 'ext_' || e::text,
             ${this.status}::"EventStatus", t, '{"built": true}'::jsonb, now(), ${this.deliveredTo ? 1 : 0}
      FROM unnest(${ids}::uuid[], ${raws}::uuid[], ${times}::timestamptz[]) AS u(e, r, t)`;
    if (this.deliveredTo) {
      await this.prisma.$executeRaw`
        INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, succeeded_at, updated_at)
        SELECT gen_random_uuid(), e, ${this.deliveredTo}::uuid, 'succeeded', 1, now(), now() FROM unnest(${ids}::uuid[]) AS u(e)`;
    }
    return ids;
  }
}

export const someEvents = (prisma: PrismaService, integrationSlug: string) =>
  new EventsBuilder(prisma, integrationSlug);
