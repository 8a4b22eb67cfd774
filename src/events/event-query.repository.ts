import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { ReadReplica } from '../common/database/read-replica';
import { wildcardToLike } from '../common/matching/wildcard';
import { KeysetPosition } from '../common/pagination/page';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import { TenantContext } from '../common/tenancy/tenant-context';
import { ReplayFilterDto } from './dto/event-query.dto';

/** A row of an event list. */
export interface EventListRow {
  id: string;
  /** The uid of its integration's application. */
  application: string;
  integration: string;
  provider: string;
  type: string;
  externalId: string | null;
  /** What orders its deliveries to `fifo` endpoints (§7.5). */
  orderingKey: string;
  status: string;
  occurredAt: Date | null;
  receivedAt: Date;
}

/** The event store's read side: filtered, keyset-paginated walks (newest first), also used by bulk replays. */
@Injectable()
export class EventQueryRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenant: TenantContext,
    private readonly replica: ReadReplica,
  ) {}

  /**
   * Rows strictly after `after` in (receivedAt desc, id desc) order; `limit` of them, from the primary: what a
   * replay walk reads in order to deliver.
   */
  page(filter: ReplayFilterDto, limit: number, after?: KeysetPosition): Promise<EventListRow[]> {
    return this.pageQuery(filter, limit, after).then((query) => this.prisma.$queryRaw<EventListRow[]>(query));
  }

  /** `page` for a search that only shows the rows: read from the read replica when there is one. */
  search(filter: ReplayFilterDto, limit: number, after?: KeysetPosition): Promise<EventListRow[]> {
    return this.pageQuery(filter, limit, after).then((query) => this.replica.client.$queryRaw<EventListRow[]>(query));
  }

  /** The SQL of `page`, also EXPLAINed by the test that checks every filter is served by an index. */
  async pageQuery(filter: ReplayFilterDto, limit: number, after?: KeysetPosition): Promise<Prisma.Sql> {
    const where = await this.conditions(filter, after);
    return Prisma.sql`
      SELECT e.id::text, (SELECT a.uid FROM applications a WHERE a.id = i.application_id) AS application,
             i.slug AS integration, e.provider, e.type, e.external_id AS "externalId",
             coalesce(e.ordering_key, i.slug) AS "orderingKey", e.status::text,
             e.occurred_at AS "occurredAt", e.received_at AS "receivedAt"
      FROM events e JOIN integrations i ON i.id = e.integration_id
      WHERE ${where}
      ORDER BY e.received_at DESC, e.id DESC
      LIMIT ${limit}`;
  }

  async count(filter: ReplayFilterDto): Promise<number> {
    const where = await this.conditions(filter);
    const [row] = await this.prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM events e JOIN integrations i ON i.id = e.integration_id WHERE ${where}`;
    return Number(row.count);
  }

  async countByStatus(): Promise<{ status: string; count: number }[]> {
    const rows = await this.prisma.event.groupBy({ by: ['status'], _count: { _all: true } });
    return rows.map((row) => ({ status: row.status, count: row._count._all }));
  }

  /** The application of the event's integration; null when there is no such event. */
  async applicationOf(id: string): Promise<string | null> {
    const event = await this.prisma.event.findUnique({
      where: { id },
      select: { integration: { select: { applicationId: true } } },
    });
    return event?.integration.applicationId ?? null;
  }

  private async conditions(filter: ReplayFilterDto, after?: KeysetPosition): Promise<Prisma.Sql> {
    const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (filter.status) parts.push(Prisma.sql`e.status = ${filter.status}::"EventStatus"`);
    // An application key's request sees its application's events only (contract §7.1).
    const confinedTo = this.tenant.applicationId();
    if (filter.integration || filter.application || confinedTo) {
      // By id rather than by the joined slug: the planner then knows how many events this integration has, so a
      // quiet integration's page comes from its own index instead of a walk down the time index. A slug names one
      // integration per application: every application's, unless the filter names one.
      const integrations = await this.prisma.integration.findMany({
        where: {
          ...(filter.integration ? { slug: filter.integration } : {}),
          ...(filter.application ? { application: { uid: filter.application } } : {}),
          ...(confinedTo ? { applicationId: confinedTo } : {}),
        },
        select: { id: true },
      });
      parts.push(
        integrations.length === 1
          ? Prisma.sql`e.integration_id = ${integrations[0].id}::uuid`
          : integrations.length
            ? Prisma.sql`e.integration_id = ANY(${integrations.map((row) => row.id)}::uuid[])`
            : Prisma.sql`FALSE`,
      );
    }
    if (filter.provider) parts.push(Prisma.sql`e.provider = ${filter.provider}`);
    if (filter.type)
      parts.push(
        filter.type.includes('*')
          ? Prisma.sql`e.type LIKE ${wildcardToLike(filter.type)}`
          : Prisma.sql`e.type = ${filter.type}`,
      );
    if (filter.from) parts.push(Prisma.sql`e.received_at >= ${filter.from}::timestamptz`);
    if (filter.to) parts.push(Prisma.sql`e.received_at < ${filter.to}::timestamptz`);
    if (filter.externalId) parts.push(Prisma.sql`e.external_id = ${filter.externalId}`);
    if (filter.deliveryStatus)
      parts.push(
        Prisma.sql`EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = ${filter.deliveryStatus}::"DeliveryStatus")`,
      );
    if (after) parts.push(Prisma.sql`(e.received_at, e.id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
    return Prisma.join(parts, ' AND ');
  }

  /** Events received per minute since `since` (minutes without any are absent), for the console's chart. */
  receivedPerMinute(since: Date, applicationId?: string): Promise<{ at: Date; count: number }[]> {
    const ofApplication = applicationId
      ? Prisma.sql`AND integration_id IN (SELECT id FROM integrations WHERE application_id = ${applicationId}::uuid)`
      : Prisma.empty;
    return this.replica.client.$queryRaw<{ at: Date; count: number }[]>`
      SELECT date_trunc('minute', received_at) AS at, count(*)::int AS count
      FROM events WHERE received_at >= ${since} ${ofApplication} GROUP BY 1 ORDER BY 1`;
  }

  /**
   * One event with its raw request, deliveries and attempts, from the read replica when there is one (the primary
   * when the replica does not have it yet).
   */
  findDetail(id: string) {
    const find = (client: PrismaClient) =>
      client.event.findUnique({
        where: { id },
        include: {
          integration: { select: { slug: true, applicationId: true, application: { select: { uid: true } } } },
          rawWebhook: true,
          deliveries: { orderBy: { createdAt: 'asc' }, include: { attempts: { orderBy: { number: 'asc' } } } },
        },
      });
    return this.replica.findOrAskPrimary(this.prisma, find);
  }

  replaysOf(eventId: string) {
    return this.prisma.replayRequest.findMany({
      where: { OR: [{ filter: { path: ['eventId'], equals: eventId } }] },
      orderBy: { createdAt: 'asc' },
    });
  }

  auditOf(eventId: string) {
    return this.prisma.auditEntry.findMany({ where: { eventId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  }
}
