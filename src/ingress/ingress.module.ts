import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ProvidersModule } from '../providers/providers.module';
import { IngressService } from './ingress.service';
import { WebhookRateLimiter } from './webhook-rate-limiter';
import { WebhooksController } from './webhooks.controller';

/** Webhook ingress (API role only). */
@Module({
  imports: [ProvidersModule, EventsModule],
  controllers: [WebhooksController],
  providers: [IngressService, WebhookRateLimiter],
})
export class IngressModule {}
