import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ActiveEndpoints } from './active-endpoints';
import { EndpointGate } from './endpoint-gate';
import { EndpointRepository } from './endpoint.repository';
import { EndpointService } from './endpoint.service';
import { AuditModule } from '../audit/audit.module';
import { SecretsModule } from '../common/crypto/secrets.module';

@Module({
  imports: [AuditModule, SecretsModule, EventsModule],
  providers: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate],
  exports: [EndpointRepository, EndpointService, ActiveEndpoints, EndpointGate],
})
export class EndpointsModule {}
