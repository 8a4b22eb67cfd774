import { Module } from '@nestjs/common';
import { EventsWorkerModule } from '../events/events-worker.module';

/** The worker side: BullMQ processors only live here (role worker or all). */
@Module({
  imports: [EventsWorkerModule],
})
export class WorkerFeaturesModule {}
