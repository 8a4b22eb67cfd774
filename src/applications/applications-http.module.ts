import { Module } from '@nestjs/common';
import { ApplicationsController } from './applications.controller';
import { ApplicationsModule } from './applications.module';

@Module({ imports: [ApplicationsModule], controllers: [ApplicationsController] })
export class ApplicationsHttpModule {}
