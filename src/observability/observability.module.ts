import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics/metrics.service';

/** Metrics for every role (the API serves them on /metrics, the worker on its health port). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class ObservabilityModule {}
