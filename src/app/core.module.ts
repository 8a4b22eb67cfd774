import { DynamicModule, Module } from '@nestjs/common';
import { ContextModule } from '../common/context/context.module';
import { DatabaseModule } from '../common/database/database.module';
import { RedisModule } from '../common/redis/redis.module';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { HealthModule } from '../health/health.module';
import { ObservabilityModule } from '../observability/observability.module';
import { QueueModule } from '../queue/queue.module';

/** What every role needs: config, PostgreSQL, Redis, context, queues (as producers), metrics, health. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        ContextModule,
        RedisModule,
        QueueModule,
        ObservabilityModule,
        HealthModule,
      ],
      exports: [HealthModule],
    };
  }
}
