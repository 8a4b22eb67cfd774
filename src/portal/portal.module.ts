import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuditModule } from '../audit/audit.module';
import { DeliveryHttpModule } from '../delivery/delivery-http.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventTypesModule } from '../event-types/event-types.module';
import { EventsModule } from '../events/events.module';
import { ManagementModule } from '../management/management.module';
import { ReplayModule } from '../replay/replay.module';
import { PortalEndpointsController } from './portal-endpoints.controller';
import { PortalEntryController, PortalSessionController } from './portal-entry.controller';
import { PortalEventsController } from './portal-events.controller';
import { PortalEventTypesController } from './portal-event-types.controller';
import { PortalLinkService } from './portal-link.service';
import { PortalLinksController } from './portal-links.controller';
import { PortalLogoService } from './portal-logo.service';

/**
 * The customer portal at /portal (contract §7.2, api role): the end customers of one application manage their own
 * endpoints and see their own deliveries, in pages built from the console's template, stylesheet and escaping, over
 * the same services, confined to that application by the same TenantContext as application keys.
 */
@Module({
  imports: [
    ApplicationsModule,
    AuditModule,
    ManagementModule,
    EndpointsModule,
    DeliveryModule,
    DeliveryHttpModule,
    EventsModule,
    EventTypesModule,
    ReplayModule,
  ],
  controllers: [
    PortalLinksController,
    PortalEntryController,
    PortalSessionController,
    PortalEndpointsController,
    PortalEventsController,
    PortalEventTypesController,
  ],
  providers: [PortalLinkService, PortalLogoService],
})
export class PortalModule {}
