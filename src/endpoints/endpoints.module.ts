import { Module } from '@nestjs/common';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';

@Module({ providers: [EndpointRepository, EndpointService], exports: [EndpointRepository, EndpointService] })
export class EndpointsModule {}
