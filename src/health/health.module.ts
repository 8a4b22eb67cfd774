import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './dependency.indicators';
import { ReadinessService } from './readiness.service';

/** Health checks (no controller: HealthHttpModule adds it for the API role). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 })],
  providers: [DatabaseHealthIndicator, RedisHealthIndicator, ReadinessService],
  exports: [ReadinessService],
})
export class HealthModule {}
