import { Module } from '@nestjs/common';
import { ActiveEndpoints } from './active-endpoints';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';

@Module({ providers: [EndpointRepository, EndpointService, ActiveEndpoints], exports: [EndpointRepository, EndpointService, ActiveEndpoints] })
export class EndpointsModule {}
