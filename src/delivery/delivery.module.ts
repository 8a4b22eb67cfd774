import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryRepository } from './delivery.repository';
import { DeliverySender } from './delivery-sender';
import { EndpointAuthorizer } from './endpoint-authorizer';
import { OAuth2TokenCache } from './oauth2-token-cache';

/** Deliveries, their dispatch and sending; DeliveryDispatcher is what replays use, DeliverySender the test route too. */
@Module({
  imports: [EndpointsModule, EventsModule],
  providers: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliverySender, OAuth2TokenCache, EndpointAuthorizer],
  exports: [DeliveryRepository, DeliveryDispatcher, DeadLetterQueue, DeliverySender, EndpointAuthorizer],
})
export class DeliveryModule {}
