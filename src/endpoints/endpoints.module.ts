import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ActiveEndpoints } from './active-endpoints';
import { EndpointGate } from './endpoint-gate';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';

@Module({ imports: [EventsModule], providers: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate], exports: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate] })
export class EndpointsModule {}
