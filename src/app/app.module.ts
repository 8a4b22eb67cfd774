import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ApiFeaturesModule } from './api-features.module';
import { CoreModule } from './core.module';
import { WorkerFeaturesModule } from './worker-features.module';

/** The root of one process: the shared core plus the API side, the worker side, or both (role `all`). */
@Module({})
export class AppModule {
  static forRole(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        ...(config.runsApi ? [ApiFeaturesModule] : []),
        ...(config.runsWorker ? [WorkerFeaturesModule] : []),
      ],
    };
  }
}
