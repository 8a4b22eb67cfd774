import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ReplayRepository } from './replay.repository';
import { ReplayService } from './replay.service';

@Module({ imports: [EventsModule], providers: [ReplayRepository, ReplayService], exports: [ReplayService, ReplayRepository] })
export class ReplayModule {}
