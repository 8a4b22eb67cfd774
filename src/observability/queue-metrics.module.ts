import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ReplayModule } from '../replay/replay.module';
import { QueueMetricsCollector } from './queue-metrics.collector';

/** Scrape-time queue and outbox gauges; one instance per process whatever its role. */
@Module({ imports: [EventsModule, ReplayModule], providers: [QueueMetricsCollector] })
export class QueueMetricsModule {}
