import { Attributes, context, propagation, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TraceCarrier } from '../../queue/job-payloads';

export const tracer = trace.getTracer('hookgate');

/** The current trace context as W3C headers, to put inside a job (empty when tracing is off). */
export function captureTraceContext(): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** Runs `work` in a span; records an exception and error status when it throws, then rethrows. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs a job's work in a CONSUMER span that continues the trace carried by the job, so the worker's spans share
 * the ingress trace id. Rethrows, so BullMQ still sees failures.
 */
export function inJobSpan<T>(
  name: string,
  carrier: TraceCarrier | undefined,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), {
    ...(carrier?.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier?.tracestate ? { tracestate: carrier.tracestate } : {}),
  });
  return context.with(parent, () => inSpan(name, attributes, work, SpanKind.CONSUMER));
}
