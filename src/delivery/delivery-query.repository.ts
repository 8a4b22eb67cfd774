import { Injectable } from '@nestjs/common';
import { ReadReplica } from '../common/database/read-replica';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { Prisma } from '../generated/prisma/client';
import { DeadLetterQueryDto, DeliveryQueryDto } from './dto/delivery-query.dto';
import { TenantContext } from '../common/tenancy/tenant-context';
import { inApplication } from '../common/tenancy/application-filter';

/** A delivery row with the uid of its endpoint's application, which list items carry (contract §7.1). */
const WITH_APPLICATION = {
  endpoint: { select: { application: { select: { uid: true } } } },
} satisfies Prisma.DeliveryInclude;
export type DeliveryWithApplication = Prisma.DeliveryGetPayload<{ include: typeof WITH_APPLICATION }>;

const RECENT_ATTEMPT = {
  id: true,
  number: true,
  responseStatus: true,
  outcome: true,
  error: true,
  durationMs: true,
  startedAt: true,
  delivery: { select: { eventId: true } },
} satisfies Prisma.DeliveryAttemptSelect;

/** One of an endpoint's latest attempts, as the console lists them. */
export type RecentAttempt = Prisma.DeliveryAttemptGetPayload<{ select: typeof RECENT_ATTEMPT }>;

/** The read side of deliveries for the management API (the hot path's statements are in DeliveryRepository). */
@Injectable()
export class DeliveryQueryRepository {
  constructor(
    private readonly replica: ReadReplica,
    private readonly tenant: TenantContext,
  ) {}

  /** Every query here only shows rows: the read replica serves them when there is one (DATABASE_READ_URL). */
  private get prisma() {
    return this.replica.client;
  }

  /** Newest first, strictly after `after` in (createdAt desc, id desc) order. */
  list(filter: DeliveryQueryDto, take: number, after?: KeysetPosition): Promise<DeliveryWithApplication[]> {
    return this.prisma.delivery.findMany({
      where: {
        eventId: filter.eventId,
        endpointId: filter.endpointId,
        status: filter.status,
        ...this.applicationOf(filter.application),
        ...keysetAfter('createdAt', after),
      },
      include: WITH_APPLICATION,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /** Most recently dead-lettered first, strictly after `after` in (deadLetteredAt desc, id desc) order. */
  deadLetters(filter: DeadLetterQueryDto, take: number, after?: KeysetPosition): Promise<DeliveryWithApplication[]> {
    return this.prisma.delivery.findMany({
      where: {
        status: 'dead_lettered',
        endpointId: filter.endpointId,
        ...this.applicationOf(filter.application),
        ...keysetAfter('deadLetteredAt', after),
      },
      include: WITH_APPLICATION,
      orderBy: [{ deadLetteredAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /**
   * Deliveries belong to the application of their endpoint: an application key's request sees its own only, and
   * `?application=` narrows a list further (naming another application than the key's, it finds nothing).
   */
  private applicationOf(uid: string | undefined): Prisma.DeliveryWhereInput {
    const applications = inApplication(this.tenant.listFilter(uid));
    return Object.keys(applications).length ? { endpoint: applications } : {};
  }

  /** The dead letters a redrive of "all matching" would take: the request's application's only. */
  countDeadLetters(endpointId?: string): Promise<number> {
    return this.prisma.delivery.count({
      where: { status: 'dead_lettered', endpointId, ...this.applicationOf(undefined) },
    });
  }

  /** Dead letters per hour since `since` (hours without any are absent). */
  deadLettersPerHour(since: Date, applicationId?: string): Promise<{ at: Date; count: number }[]> {
    const ofApplication = applicationId
      ? Prisma.sql`AND endpoint_id IN (SELECT id FROM endpoints WHERE application_id = ${applicationId}::uuid)`
      : Prisma.empty;
    return this.prisma.$queryRaw<{ at: Date; count: number }[]>`
      SELECT date_trunc('hour', dead_lettered_at) AS at, count(*)::int AS count
      FROM deliveries WHERE status = 'dead_lettered' AND dead_lettered_at >= ${since} ${ofApplication}
      GROUP BY 1 ORDER BY 1`;
  }

  /** One endpoint's attempts per hour since `since`, and how many of them succeeded (hours without any are absent). */
  attemptsPerHour(endpointId: string, since: Date): Promise<{ at: Date; total: number; succeeded: number }[]> {
    return this.prisma.$queryRaw<{ at: Date; total: number; succeeded: number }[]>`
      SELECT date_trunc('hour', a.started_at) AS at, count(*)::int AS total,
             (count(*) FILTER (WHERE a.outcome = 'succeeded'))::int AS succeeded
      FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id
      WHERE d.endpoint_id = ${endpointId}::uuid AND a.started_at >= ${since}
      GROUP BY 1 ORDER BY 1`;
  }

  /** The latest attempts to one endpoint, newest first. */
  recentAttempts(endpointId: string, limit: number): Promise<RecentAttempt[]> {
    return this.prisma.deliveryAttempt.findMany({
      where: { delivery: { endpointId } },
      orderBy: { startedAt: 'desc' },
      take: limit,
      select: RECENT_ATTEMPT,
    });
  }
}
