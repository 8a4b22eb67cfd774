import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventsModule } from '../events/events.module';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './dependency.indicators';
import { QueueHealthIndicators } from './queue.indicators';
import { ReadinessService } from './readiness.service';
import { RetentionHealthIndicator } from './retention.indicator';

/**
 * Health checks: PostgreSQL, Redis, BullMQ round trip, outbox age, heap, last retention run (no controller:
 * HealthHttpModule adds it for the API role).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 }), EventsModule],
  providers: [
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    ReadinessService,
    QueueHealthIndicators,
    RetentionHealthIndicator,
  ],
  exports: [ReadinessService],
})
export class HealthModule {}
