import { Module } from '@nestjs/common';
import { EventTypesController } from './event-types.controller';
import { EventTypesModule } from './event-types.module';

@Module({ imports: [EventTypesModule], controllers: [EventTypesController] })
export class EventTypesHttpModule {}
