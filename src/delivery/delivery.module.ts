import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryQueryService } from './delivery-query.service';
import { DeliveryRepository } from './delivery.repository';

/** Deliveries and their dispatch; DeliveryDispatcher is what replays use. */
@Module({
  imports: [EndpointsModule, EventsModule],
  providers: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliveryQueryService],
  exports: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliveryQueryService],
})
export class DeliveryModule {}
