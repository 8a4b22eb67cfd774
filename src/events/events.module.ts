import { Module } from '@nestjs/common';
import { EventStoreRepository } from './event-store.repository';
import { EventWriter } from './event-writer.service';

/** The event store's write side: raw webhook + event + outbox in one commit, then the hand-off to BullMQ. */
@Module({ providers: [EventStoreRepository, EventWriter], exports: [EventWriter, EventStoreRepository] })
export class EventsModule {}
