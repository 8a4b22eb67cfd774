import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryQueryRepository } from './delivery-query.repository';

@Module({ controllers: [DeliveriesController], providers: [DeliveryQueryRepository] })
export class DeliveryHttpModule {}
