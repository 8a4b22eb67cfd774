import { Module } from '@nestjs/common';
import { EventsModule } from './events.module';
import { OutboxRelayProcessor } from './outbox-relay.processor';

@Module({ imports: [EventsModule], providers: [OutboxRelayProcessor] })
export class EventsWorkerModule {}
