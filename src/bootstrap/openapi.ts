import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

/** Swagger UI at /docs and the OpenAPI document at /docs-json (API role). */
export function mountOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Hookgate')
    .setDescription('Webhook ingestion and delivery gateway: ingress, management API, health.')
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Management API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
