import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuditModule } from '../audit/audit.module';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryModule } from './delivery.module';
import { EndpointTestController } from './endpoint-test.controller';
import { EndpointTestService } from './endpoint-test.service';

@Module({
  imports: [DeliveryModule, EndpointsModule, EventsModule, AuditModule, ApplicationsModule],
  controllers: [DeliveriesController, EndpointTestController],
  providers: [EndpointTestService],
  exports: [EndpointTestService],
})
export class DeliveryHttpModule {}
