import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter';
import { RequestValidationPipe } from '../common/http/request-validation.pipe';
import { ApplicationsHttpModule } from '../applications/applications-http.module';
import { AuditHttpModule } from '../audit/audit-http.module';
import { EventTypesHttpModule } from '../event-types/event-types-http.module';
import { ConsoleModule } from '../console/console.module';
import { PortalModule } from '../portal/portal.module';
import { DeliveryHttpModule } from '../delivery/delivery-http.module';
import { EndpointsHttpModule } from '../endpoints/endpoints-http.module';
import { EventsHttpModule } from '../events/events-http.module';
import { HealthHttpModule } from '../health/health-http.module';
import { ReplayHttpModule } from '../replay/replay-http.module';
import { IngressModule } from '../ingress/ingress.module';
import { ObservabilityHttpModule } from '../observability/observability-http.module';
import { ProvidersHttpModule } from '../providers/providers-http.module';
import { ApiKeyGuard } from '../management/api-key.guard';
import { ManagementModule } from '../management/management.module';

/** The HTTP side: controllers only live here (role api or all). */
@Module({
  imports: [
    ManagementModule,
    HealthHttpModule,
    ApplicationsHttpModule,
    EventTypesHttpModule,
    ProvidersHttpModule,
    IngressModule,
    EndpointsHttpModule,
    DeliveryHttpModule,
    ObservabilityHttpModule,
    EventsHttpModule,
    ReplayHttpModule,
    AuditHttpModule,
    ConsoleModule,
    PortalModule,
  ],
  providers: [
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
  ],
})
export class ApiFeaturesModule {}
