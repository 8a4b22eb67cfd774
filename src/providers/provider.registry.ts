import { Inject, Injectable, Type } from '@nestjs/common';
import { AcmeProvider } from './adapters/acme.provider';
import { GenericProvider } from './adapters/generic.provider';
import { GithubProvider } from './adapters/github.provider';
import { GlobexProvider } from './adapters/globex.provider';
import { PaypalProvider } from './adapters/paypal.provider';
import { StandardWebhooksProvider } from './adapters/standard.provider';
import { StripeProvider } from './adapters/stripe.provider';
import { WebhookProvider } from './provider.types';

/** Every provider adapter. Adding a provider: one new file in adapters/ and one line here. */
export const PROVIDER_ADAPTERS: Type<WebhookProvider>[] = [
  StripeProvider,
  GithubProvider,
  PaypalProvider,
  AcmeProvider,
  GlobexProvider,
  StandardWebhooksProvider,
  GenericProvider,
];

export const WEBHOOK_PROVIDERS = Symbol('WEBHOOK_PROVIDERS');

@Injectable()
export class ProviderRegistry {
  private readonly byName: Map<string, WebhookProvider>;

  constructor(@Inject(WEBHOOK_PROVIDERS) providers: WebhookProvider[]) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
  }

  get(name: string): WebhookProvider | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
