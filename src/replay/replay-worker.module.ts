import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { EventsModule } from '../events/events.module';
import { ReplayModule } from './replay.module';
import { ReplayProcessor } from './replay.processor';

@Module({ imports: [ReplayModule, EventsModule, DeliveryModule], providers: [ReplayProcessor] })
export class ReplayWorkerModule {}
