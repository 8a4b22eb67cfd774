import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryModule } from './delivery.module';

@Module({ imports: [DeliveryModule], controllers: [DeliveriesController] })
export class DeliveryHttpModule {}
