import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HOOKGATE_VERSION } from '../common/version';

const answer = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});

/** The webhook route is served ahead of Nest's router (WebhookHttpHandler), so it is described here. */
const WEBHOOK_ROUTE = {
  post: {
    tags: ['webhooks'],
    summary: 'Receive a webhook (202 accepted, 200 duplicate)',
    description:
      "Public: authenticity comes from the provider's signature over the raw bytes, which are stored as received.",
    parameters: [
      {
        name: 'integration',
        in: 'path' as const,
        required: true,
        description: 'Integration slug, e.g. stripe',
        schema: { type: 'string' as const },
      },
    ],
    requestBody: { required: true, content: { '*/*': { schema: { type: 'string' as const, format: 'binary' } } } },
    responses: {
      '202': answer('Accepted: {"eventId", "status": "accepted", "duplicate": false}'),
      '200': answer('A duplicate of an event received before: {"eventId", "status": "duplicate", "duplicate": true}'),
      '400': answer('The verified body cannot be normalized'),
      '401': answer('Signature or token missing, wrong, or outside the time tolerance'),
      '404': answer('No enabled integration with this slug'),
      '413': answer("Body larger than the integration's maxBodyBytes"),
      '415': answer('A Content-Encoding other than identity'),
      '429': answer("The integration's rate limit (Retry-After)"),
      '503': answer('Storage or a provider dependency unavailable (Retry-After)'),
    },
  },
};

/** Swagger UI at /docs and the OpenAPI document at /docs-json (API role). */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Hookgate')
    .setDescription('Webhook ingestion and delivery gateway: ingress, management API, health.')
    .setVersion(HOOKGATE_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Management API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths['/webhooks/{integration}'] = WEBHOOK_ROUTE;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
