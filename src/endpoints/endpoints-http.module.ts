import { Module } from '@nestjs/common';
import { EndpointsController } from './endpoints.controller';
import { EndpointsModule } from './endpoints.module';

@Module({ imports: [EndpointsModule], controllers: [EndpointsController] })
export class EndpointsHttpModule {}
