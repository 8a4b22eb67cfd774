import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { EventQueryRepository } from './event-query.repository';
import { EventStoreRepository } from './event-store.repository';
import { EventWriter } from './event-writer.service';
import { OperationalEvents } from './operational-events.service';

/** The event store: the write side (one commit, then the hand-off to BullMQ) and the filtered read side. */
@Module({
  imports: [ApplicationsModule],
  providers: [EventStoreRepository, EventWriter, EventQueryRepository, OperationalEvents],
  exports: [EventWriter, EventStoreRepository, EventQueryRepository, OperationalEvents],
})
export class EventsModule {}
