import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryQueryRepository } from './delivery-query.repository';
import { DeliveryQueryService } from './delivery-query.service';
import { DeliveryRepository } from './delivery.repository';
import { SecretsModule } from '../common/crypto/secrets.module';

/** Deliveries and their dispatch; DeliveryDispatcher is what replays use. */
@Module({
  imports: [EndpointsModule, EventsModule, SecretsModule],
  providers: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliveryQueryRepository, DeliveryQueryService],
  exports: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliveryQueryService],
})
export class DeliveryModule {}
