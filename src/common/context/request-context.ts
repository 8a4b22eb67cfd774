import { trace } from '@opentelemetry/api';
import { ClsServiceManager } from 'nestjs-cls';

/** The request header that carries a caller's correlation id; echoed on every answer. */
export const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's correlation id is used when it is short and plain; otherwise a new one is made. */
export function acceptableCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTABLE_CORRELATION_ID.test(value);
}

/** Keys stored in the per-request / per-job continuation-local store. */
export const CONTEXT_EVENT_ID = 'eventId';
export const CONTEXT_DELIVERY_ID = 'deliveryId';

/** The correlation id of the current request or job, when there is one. */
export function currentCorrelationId(): string | undefined {
  const cls = ClsServiceManager.getClsService();
  return cls.isActive() ? cls.getId() : undefined;
}

/** Extra ids (event, delivery) known in the current request or job, for log lines. */
export function currentContextIds(): { eventId?: string; deliveryId?: string } {
  const cls = ClsServiceManager.getClsService();
  if (!cls.isActive()) return {};
  return { eventId: cls.get(CONTEXT_EVENT_ID), deliveryId: cls.get(CONTEXT_DELIVERY_ID) };
}

/** The active OpenTelemetry trace id, or null when tracing is off or no span is active. */
export function currentTraceId(): string | null {
  const context = trace.getActiveSpan()?.spanContext();
  return context && context.traceId !== '00000000000000000000000000000000' ? context.traceId : null;
}
