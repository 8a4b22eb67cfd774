import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { DeliverySender } from './delivery-sender';
import { DeliveryModule } from './delivery.module';
import { DeliveryProcessor } from './delivery.processor';
import { FanOutProcessor } from './fan-out.processor';

@Module({ imports: [DeliveryModule, EndpointsModule], providers: [DeliverySender, FanOutProcessor, DeliveryProcessor] })
export class DeliveryWorkerModule {}
