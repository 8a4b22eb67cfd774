import { Module } from '@nestjs/common';
import { DeliveryWorkerModule } from '../delivery/delivery-worker.module';
import { EventsWorkerModule } from '../events/events-worker.module';

/** The worker side: BullMQ processors only live here (role worker or all). */
@Module({
  imports: [EventsWorkerModule, DeliveryWorkerModule],
})
export class WorkerFeaturesModule {}
