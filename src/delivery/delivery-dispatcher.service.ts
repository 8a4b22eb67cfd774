import { Injectable } from '@nestjs/common';
import { JobQueue } from '../queue/job-queue.service';
import { JobName, QueueName } from '../queue/queue-names';
import { AppConfig } from '../config/app-config';
import { matchesFilter, EndpointFilter } from '../endpoints/endpoint-filter';
import { PrismaService } from '../common/database/prisma.service';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { DeliveryRepository } from './delivery.repository';

interface Dispatchable {
  id: string;
  endpoint: { maxAttempts: number | null };
}

/**
 * Puts deliveries on the delivery queue: the first run of a fan-out, and later runs (replays, redrives) of the
 * same delivery rows, so `webhook-id` (the delivery id) stays the same for the same event and endpoint.
 */
@Injectable()
export class DeliveryDispatcher {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly repository: DeliveryRepository,
    private readonly prisma: PrismaService,
  ) {}

  /** `run` names the run in the job id: the same delivery run is never queued twice, a new run always is. */
  async enqueue(deliveries: Dispatchable[], run: string, replayRequestId?: string): Promise<number> {
    if (!deliveries.length) return 0;
    const trace = captureTraceContext();
    await this.jobs.addBulk(
      JobName.Deliver,
      deliveries.map((delivery) => ({
        data: { deliveryId: delivery.id, ...(replayRequestId ? { replayRequestId } : {}), ...trace },
        options: { jobId: `${delivery.id}-${run}`, attempts: delivery.endpoint.maxAttempts ?? this.config.delivery.retryScheduleMs.length + 1 },
      })),
    );
    return deliveries.length;
  }

  /** Delivers events again: to all currently matching endpoints, or only `endpointId`. Returns jobs enqueued. */
  async redeliverEvents(eventIds: string[], options: { endpointId?: string; replayRequestId: string }): Promise<number> {
    if (!eventIds.length) return 0;
    const events = await this.prisma.event.findMany({ where: { id: { in: eventIds } }, select: { id: true, type: true, integration: { select: { slug: true } } } });
    const endpoints = await this.prisma.endpoint.findMany({
      where: options.endpointId ? { id: options.endpointId, deletedAt: null } : { enabled: true, deletedAt: null },
    });
    const ids: string[] = [];
    for (const event of events) {
      const targets = options.endpointId ? endpoints : endpoints.filter((endpoint) => matchesFilter(endpoint.filter as EndpointFilter, { integration: event.integration.slug, type: event.type }));
      const deliveries = await this.repository.ensureDeliveries(event.id, targets.map((endpoint) => endpoint.id));
      ids.push(...deliveries.filter((delivery) => targets.some((endpoint) => endpoint.id === delivery.endpointId)).map((delivery) => delivery.id));
    }
    return this.rerun(ids, options.replayRequestId);
  }

  /** Runs exactly these deliveries again (dead-letter redrive) and removes their parked dead-letter jobs. */
  async redriveDeliveries(deliveryIds: string[], options: { replayRequestId: string }): Promise<number> {
    const live = await this.prisma.delivery.findMany({ where: { id: { in: deliveryIds }, endpoint: { deletedAt: null } }, select: { id: true } });
    const deadLetters = this.jobs.queue(QueueName.DeadLetter);
    await Promise.all(live.map((delivery) => deadLetters.remove(`dl-${delivery.id}`)));
    return this.rerun(live.map((delivery) => delivery.id), options.replayRequestId);
  }

  private async rerun(deliveryIds: string[], replayRequestId: string): Promise<number> {
    await this.repository.resetForRun(deliveryIds, replayRequestId);
    const deliveries = await this.prisma.delivery.findMany({ where: { id: { in: deliveryIds } }, select: { id: true, endpoint: { select: { maxAttempts: true } } } });
    return this.enqueue(deliveries, `replay-${replayRequestId}`, replayRequestId);
  }
}
