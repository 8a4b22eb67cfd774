import { Module } from '@nestjs/common';
import { ReplayModule } from './replay.module';
import { ReplaysController } from './replays.controller';

@Module({ imports: [ReplayModule], controllers: [ReplaysController] })
export class ReplayHttpModule {}
