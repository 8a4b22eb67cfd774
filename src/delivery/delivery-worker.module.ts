import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeadLetterNotices } from './dead-letter-notices';
import { DeliveryModule } from './delivery.module';
import { DeliveryProcessor } from './delivery.processor';
import { FanOutProcessor } from './fan-out.processor';

@Module({
  imports: [DeliveryModule, EndpointsModule, EventsModule],
  providers: [FanOutProcessor, DeliveryProcessor, DeadLetterNotices],
})
export class DeliveryWorkerModule {}
