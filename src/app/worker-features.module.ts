import { Module } from '@nestjs/common';
import { DeliveryWorkerModule } from '../delivery/delivery-worker.module';
import { EventsWorkerModule } from '../events/events-worker.module';
import { QueueMetricsModule } from '../observability/queue-metrics.module';

/** The worker side: BullMQ processors only live here (role worker or all). */
@Module({
  imports: [EventsWorkerModule, DeliveryWorkerModule, QueueMetricsModule],
})
export class WorkerFeaturesModule {}
