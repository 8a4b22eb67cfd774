import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { EventsModule } from '../events/events.module';
import { MaintenanceProcessor } from './maintenance.processor';

/** The worker's periodic sweep (worker role only). */
@Module({ imports: [EventsModule, DeliveryModule], providers: [MaintenanceProcessor] })
export class MaintenanceModule {}
