import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { ApplicationShare } from './application-share';
import { DeadLetterNotices } from './dead-letter-notices';
import { DeliveryModule } from './delivery.module';
import { DeliveryProcessor } from './delivery.processor';
import { FanOutProcessor } from './fan-out.processor';

@Module({
  imports: [DeliveryModule, EndpointsModule, EventsModule, ApplicationsModule],
  providers: [FanOutProcessor, DeliveryProcessor, DeadLetterNotices, ApplicationShare],
})
export class DeliveryWorkerModule {}
