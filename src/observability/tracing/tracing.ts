import { AppConfig } from '../../config/app-config';

/** Handle on the tracing SDK so shutdown can flush spans. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry before Nest and its dependencies are loaded, so their modules get instrumented
 * (HTTP, Express, pg, ioredis, undici). Off when OTEL_EXPORTER_OTLP_ENDPOINT is unset: nothing is even loaded.
 */
export function startTracing(config: AppConfig): Tracing {
  if (!config.otel.endpoint) return { shutdown: async () => undefined };
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on, after the check above */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': config.otel.serviceName, 'hookgate.role': config.role }),
    traceExporter: new OTLPTraceExporter({ url: `${config.otel.endpoint.replace(/\/$/, '')}/v1/traces` }),
    instrumentations: [
      new HttpInstrumentation({
        // A portal link's token is in its URL: opening one is not traced, so the token never reaches a span.
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics|portal\/enter)/.test(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
