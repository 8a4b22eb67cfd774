import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { Prisma, ReplayKind, ReplayRequest } from '../generated/prisma/client';
import { RedriveFilterDto } from './dto/replay.dto';
import { ApplicationFilter, inApplication } from '../common/tenancy/application-filter';

/** What a redrive runs again: dead letters by id or filter, of one application's endpoints when it names one. */
export interface RedriveSelection {
  deliveryIds?: string[];
  filter?: RedriveFilterDto;
  /** The uid of the application whose dead letters these are (a redrive by an application key). */
  application?: string;
}

function deadLettersOf(selection: RedriveSelection): Prisma.DeliveryWhereInput {
  const filter = selection.filter ?? {};
  return {
    status: 'dead_lettered',
    ...(selection.deliveryIds ? { id: { in: selection.deliveryIds } } : {}),
    endpointId: filter.endpointId,
    deadLetteredAt: { gte: filter.from, lt: filter.to },
    ...(filter.integration ? { event: { integration: { slug: filter.integration } } } : {}),
    ...(selection.application ? { endpoint: { application: { uid: selection.application } } } : {}),
  };
}

@Injectable()
export class ReplayRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: {
    kind: ReplayKind;
    actor: string;
    reason: string;
    filter: object;
    endpointId?: string;
    matched: number;
    applicationId?: string;
  }): Promise<ReplayRequest> {
    return this.prisma.replayRequest.create({ data: { ...data, filter: data.filter } });
  }

  find(id: string): Promise<ReplayRequest | null> {
    return this.prisma.replayRequest.findUnique({ where: { id } });
  }

  /** `applicationId`: only that application's replays (an application key's list). */
  listPage(
    limit: number,
    after: KeysetPosition | undefined,
    applications: ApplicationFilter,
  ): Promise<ReplayRequest[]> {
    return this.prisma.replayRequest.findMany({
      where: { ...keysetAfter('createdAt', after), ...inApplication(applications) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  /** Replays not yet ended, with their progress summed (the metrics' view). */
  async activeTotals(): Promise<{ requests: number; enqueued: number; completed: number }> {
    const totals = await this.prisma.replayRequest.aggregate({
      where: { status: { in: ['pending', 'running'] } },
      _count: { _all: true },
      _sum: { enqueued: true, completed: true },
    });
    return { requests: totals._count._all, enqueued: totals._sum.enqueued ?? 0, completed: totals._sum.completed ?? 0 };
  }

  /** pending/running → cancelled; false when it had already ended. */
  async cancel(id: string): Promise<boolean> {
    const { count } = await this.prisma.replayRequest.updateMany({
      where: { id, status: { in: ['pending', 'running'] } },
      data: { status: 'cancelled', finishedAt: new Date() },
    });
    return count === 1;
  }

  async markRunning(id: string): Promise<void> {
    await this.prisma.replayRequest.updateMany({ where: { id, status: 'pending' }, data: { status: 'running' } });
  }

  /** Progress of one batch; the cursor lets a restarted worker resume after it. */
  async recordBatch(id: string, enqueued: number, cursor: object): Promise<void> {
    await this.prisma.replayRequest.update({
      where: { id },
      data: { enqueued: { increment: enqueued }, cursor: cursor },
    });
  }

  /** The walk is over: completed now if every enqueued delivery already finished (true), else when the last one does. */
  async finishWalk(id: string, cursor: object): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ completed: boolean }[]>`
      UPDATE replay_requests SET cursor = ${JSON.stringify({ ...cursor, done: true })}::jsonb,
        status = CASE WHEN status = 'running' AND completed >= enqueued THEN 'completed'::"ReplayStatus" ELSE status END,
        finished_at = CASE WHEN status = 'running' AND completed >= enqueued THEN now() ELSE finished_at END,
        updated_at = now()
      WHERE id = ${id}::uuid
      RETURNING status = 'completed' AND finished_at = now()::timestamptz(3) AS completed`;
    return rows[0]?.completed === true;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.prisma.replayRequest.updateMany({
      where: { id, status: { in: ['pending', 'running'] } },
      data: { status: 'failed', error: error.slice(0, 1000), finishedAt: new Date() },
    });
  }

  /** Dead-lettered deliveries selected by ids or filter, in id order after `afterId`. */
  deadLetterPage(selection: RedriveSelection, limit: number, afterId?: string): Promise<{ id: string }[]> {
    return this.prisma.delivery.findMany({
      where: { ...deadLettersOf(selection), ...(afterId ? { AND: [{ id: { gt: afterId } }] } : {}) },
      orderBy: { id: 'asc' },
      select: { id: true },
      take: limit,
    });
  }

  /** What a recover runs again: the endpoint's deliveries since `since` that did not succeed (dead-lettered or retrying). */
  private recoverable(endpointId: string, since: Date): Prisma.DeliveryWhereInput {
    return {
      endpointId,
      status: { in: ['dead_lettered', 'retrying'] },
      OR: [{ createdAt: { gte: since } }, { deadLetteredAt: { gte: since } }],
    };
  }

  recoverablePage(endpointId: string, since: Date, limit: number, afterId?: string): Promise<{ id: string }[]> {
    return this.prisma.delivery.findMany({
      where: { ...this.recoverable(endpointId, since), ...(afterId ? { id: { gt: afterId } } : {}) },
      orderBy: { id: 'asc' },
      select: { id: true },
      take: limit,
    });
  }

  countRecoverable(endpointId: string, since: Date): Promise<number> {
    return this.prisma.delivery.count({ where: this.recoverable(endpointId, since) });
  }

  /** How many of these deliveries belong to endpoints of other applications than `applicationId`. */
  countOutside(deliveryIds: string[], applicationId: string): Promise<number> {
    return this.prisma.delivery.count({
      where: { id: { in: deliveryIds }, endpoint: { applicationId: { not: applicationId } } },
    });
  }

  async countDeadLetters(selection: RedriveSelection): Promise<number> {
    return this.prisma.delivery.count({ where: deadLettersOf(selection) });
  }
}
