import { EventTypesModule } from '../event-types/event-types.module';
import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsModule } from '../events/events.module';
import { ProvidersModule } from '../providers/providers.module';
import { IngressService } from './ingress.service';
import { WebhookHttpHandler } from './webhook-http-handler';
import { WebhookRateLimiter } from './webhook-rate-limiter';

/** Webhook ingress (API role only); WebhookHttpHandler is mounted on the HTTP server ahead of Express. */
@Module({
  imports: [ProvidersModule, EventsModule, EndpointsModule, EventTypesModule],
  providers: [IngressService, WebhookRateLimiter, WebhookHttpHandler],
  exports: [WebhookHttpHandler],
})
export class IngressModule {}
