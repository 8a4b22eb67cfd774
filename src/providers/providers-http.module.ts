import { Module } from '@nestjs/common';
import { IntegrationsController } from './integrations/integrations.controller';
import { ProvidersModule } from './providers.module';

@Module({ imports: [ProvidersModule], controllers: [IntegrationsController] })
export class ProvidersHttpModule {}
