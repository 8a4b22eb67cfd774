import { Module } from '@nestjs/common';

/** The worker side: BullMQ processors only live here (role worker or all). */
@Module({
  imports: [],
})
export class WorkerFeaturesModule {}
