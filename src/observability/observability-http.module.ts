import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { QueueMetricsModule } from './queue-metrics.module';

@Module({ imports: [QueueMetricsModule], controllers: [MetricsController] })
export class ObservabilityHttpModule {}
