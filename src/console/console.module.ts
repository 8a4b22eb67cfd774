import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuditHttpModule } from '../audit/audit-http.module';
import { AuditModule } from '../audit/audit.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { EventTypesModule } from '../event-types/event-types.module';
import { ManagementModule } from '../management/management.module';
import { ProvidersModule } from '../providers/providers.module';
import { ReplayModule } from '../replay/replay.module';
import { ConsoleApplicationsController } from './console-applications.controller';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleEndpointsController } from './console-endpoints.controller';
import { ConsoleEventsController } from './console-events.controller';
import { ConsoleEventTypesController } from './console-event-types.controller';
import { ConsoleOperationsController } from './console-operations.controller';
import { ConsoleOverviewController } from './console-overview.controller';
import { ConsoleOverviewService } from './console-overview.service';

/**
 * The ops console at /console (api role): server-rendered pages over the same services as the management API,
 * behind the same guard (scopes), with every change audited under the signed-in key's name.
 */
@Module({
  imports: [
    ApplicationsModule,
    EventsModule,
    EventTypesModule,
    EndpointsModule,
    DeliveryModule,
    ReplayModule,
    ProvidersModule,
    AuditModule,
    AuditHttpModule,
    ManagementModule,
  ],
  controllers: [
    ConsoleAuthController,
    ConsoleOverviewController,
    ConsoleEventsController,
    ConsoleOperationsController,
    ConsoleEndpointsController,
    ConsoleApplicationsController,
    ConsoleEventTypesController,
  ],
  providers: [ConsoleOverviewService],
})
export class ConsoleModule {}
