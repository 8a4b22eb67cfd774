import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryQueryRepository } from './delivery-query.repository';
import { DeliveryQueryService } from './delivery-query.service';
import { DeliveryRepository } from './delivery.repository';
import { SecretsModule } from '../common/crypto/secrets.module';
import { DeliverySender } from './delivery-sender';
import { EndpointAuthorizer } from './endpoint-authorizer';
import { OAuth2TokenCache } from './oauth2-token-cache';

/** Deliveries, their dispatch and sending; DeliveryDispatcher is what replays use, DeliverySender the test route too. */
@Module({
  imports: [EndpointsModule, EventsModule, SecretsModule, ApplicationsModule],
  providers: [
    DeliveryRepository,
    DeliveryDispatcher,
    DeadLetterQueue,
    DeliveryQueryRepository,
    DeliveryQueryService,
    DeliverySender,
    OAuth2TokenCache,
    EndpointAuthorizer,
  ],
  exports: [
    DeliveryRepository,
    DeliveryDispatcher,
    DeadLetterQueue,
    DeliveryQueryService,
    DeliverySender,
    EndpointAuthorizer,
  ],
})
export class DeliveryModule {}
