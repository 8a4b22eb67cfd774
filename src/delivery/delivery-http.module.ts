import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryModule } from './delivery.module';
import { EndpointTestController } from './endpoint-test.controller';
import { EndpointTestService } from './endpoint-test.service';

@Module({ imports: [DeliveryModule, EndpointsModule, EventsModule], controllers: [DeliveriesController, EndpointTestController], providers: [EndpointTestService] })
export class DeliveryHttpModule {}
