import { Module } from '@nestjs/common';
import { PaypalCertificates } from './adapters/paypal-certificates';
import { PaypalTransmissions } from './adapters/paypal-transmissions';
import { IntegrationResolver } from './integrations/integration-resolver';
import { IntegrationRepository } from './integrations/integration.repository';
import { IntegrationService } from './integrations/integration.service';
import { PROVIDER_ADAPTERS, ProviderRegistry, WEBHOOK_PROVIDERS } from './provider.registry';
import { AuditModule } from '../audit/audit.module';
import { SecretsModule } from '../common/crypto/secrets.module';
import { ApplicationsModule } from '../applications/applications.module';

/** Provider adapters and the integrations that configure them. */
@Module({
  imports: [AuditModule, SecretsModule, ApplicationsModule],
  providers: [
    ...PROVIDER_ADAPTERS,
    PaypalCertificates,
    PaypalTransmissions,
    { provide: WEBHOOK_PROVIDERS, inject: PROVIDER_ADAPTERS, useFactory: (...adapters: unknown[]) => adapters },
    ProviderRegistry,
    IntegrationRepository,
    IntegrationResolver,
    IntegrationService,
  ],
  exports: [ProviderRegistry, IntegrationResolver, IntegrationService],
})
export class ProvidersModule {}
