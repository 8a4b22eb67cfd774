import { Module } from '@nestjs/common';
import { DeliveryWorkerModule } from '../delivery/delivery-worker.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { ReplayWorkerModule } from '../replay/replay-worker.module';
import { RetentionModule } from '../retention/retention.module';
import { QueueMetricsModule } from '../observability/queue-metrics.module';

/** The worker side: BullMQ processors only live here (role worker or all). */
@Module({
  imports: [MaintenanceModule, DeliveryWorkerModule, QueueMetricsModule, ReplayWorkerModule, RetentionModule],
})
export class WorkerFeaturesModule {}
