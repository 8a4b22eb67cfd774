import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_EVENT_ID } from '../common/context/request-context';
import { PrismaService } from '../common/database/prisma.service';
import { AppConfig } from '../config/app-config';
import { EndpointFilter, matchesFilter } from '../endpoints/endpoint-filter';
import { EndpointRepository } from '../endpoints/endpoint.repository';
import { inJobSpan } from '../observability/tracing/trace-context';
import { JobOf } from '../queue/job-payloads';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, startWorker } from '../queue/worker-runner';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryRepository } from './delivery.repository';

/** Processing: an ingested event becomes one delivery per matching endpoint (idempotent under retries). */
@Processor(QueueName.Processing, IDLE_WORKER)
export class FanOutProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly endpoints: EndpointRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly cls: ClsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this.worker, this.config);
  }

  process(job: Job<JobOf<JobName.ProcessEvent>>): Promise<{ deliveries: number }> {
    return this.cls.run(() => {
      this.cls.set(CONTEXT_EVENT_ID, job.data.eventId);
      return inJobSpan('process-event', job.data, { 'hookgate.event_id': job.data.eventId }, () => this.fanOut(job.data.eventId));
    });
  }

  private async fanOut(eventId: string): Promise<{ deliveries: number }> {
    const event = await this.prisma.event.findUnique({ where: { id: eventId }, select: { id: true, type: true, status: true, integration: { select: { slug: true } } } });
    if (!event) throw new UnrecoverableError(`event ${eventId} does not exist`);
    if (event.status === 'received' || event.status === 'queued') await this.deliveries.setEventStatus(eventId, 'processing');

    const matching = (await this.endpoints.findActive()).filter((endpoint) => matchesFilter(endpoint.filter as EndpointFilter, { integration: event.integration.slug, type: event.type }));
    const deliveries = await this.deliveries.ensureDeliveries(eventId, matching.map((endpoint) => endpoint.id));
    if (deliveries.length === 0) {
      await this.deliveries.setEventStatus(eventId, 'no_subscribers');
      return { deliveries: 0 };
    }
    // Deliveries created by an earlier try of this job are enqueued again; their job ids make that a no-op.
    await this.dispatcher.enqueue(deliveries.filter((delivery) => delivery.status === 'pending' && !delivery.replayRequestId), 'initial');
    return { deliveries: deliveries.length };
  }
}
