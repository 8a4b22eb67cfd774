import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { acceptableCorrelationId, CORRELATION_HEADER, currentTraceId } from '../common/context/request-context';
import { buildErrorBody } from '../common/http/error-body';
import { mapException } from '../common/http/error-mapping';
import { ProxyTrust, proxyTrust, sourceIpOf } from '../common/http/source-ip';
import { AppConfig } from '../config/app-config';
import { IngressRejection } from '../providers/ingress-rejection';
import { IngressService } from './ingress.service';

import { DEFAULT_APPLICATION_UID } from '../common/tenancy/default-application';

/** `/webhooks/:integration` (the default application's) or `/webhooks/:application/:integration` (contract §7.1). */
const WEBHOOK_PATH = /^\/webhooks\/([^/?#]+)(?:\/([^/?#]+))?\/?(?:\?.*)?$/;
const WEBHOOK_ROUTES = { one: '/webhooks/:integration', two: '/webhooks/:application/:integration' } as const;

/** Where a webhook is addressed: an application's uid and one of its integration slugs. */
export interface WebhookTarget {
  application: string;
  slug: string;
  /** Whether the URL named the application (two segments). */
  named: boolean;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reads a request body, refusing (413) as soon as it would exceed `maxBytes`: nothing beyond it is buffered. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new IngressRejection('payload_too_large', `Body exceeds the limit of ${maxBytes} bytes`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}

/**
 * POST /webhooks/:integration and /webhooks/:application/:integration, served straight from node:http ahead of Express and Nest's router: the public
 * edge is the hot path, and a webhook needs none of their per-request machinery. Answers and errors are the
 * contract's, as on every other route (x-correlation-id, the error body, Retry-After).
 */
@Injectable()
export class WebhookHttpHandler {
  private readonly logger = new Logger('HTTP');
  private readonly trust: ProxyTrust;
  private readonly logRequests: boolean;

  constructor(
    private readonly ingress: IngressService,
    private readonly cls: ClsService,
    config: AppConfig,
  ) {
    this.trust = proxyTrust(config.trustProxy);
    this.logRequests = ['debug', 'silly'].includes(config.logLevel);
  }

  /** Where the webhook is addressed when this request is one; otherwise undefined (Express serves it). */
  targetOf(request: IncomingMessage): WebhookTarget | undefined {
    if (request.method !== 'POST' || !request.url?.startsWith('/webhooks/')) return undefined;
    const match = WEBHOOK_PATH.exec(request.url);
    if (!match) return undefined;
    return match[2] === undefined
      ? { application: DEFAULT_APPLICATION_UID, slug: decoded(match[1]), named: false }
      : { application: decoded(match[1]), slug: decoded(match[2]), named: true };
  }

  handle(request: IncomingMessage, response: ServerResponse, target: WebhookTarget): Promise<void> {
    const given = request.headers[CORRELATION_HEADER];
    const correlationId = acceptableCorrelationId(given) ? given : randomUUID();
    // The HTTP server span is named by its route, as Express's instrumentation names the other routes'.
    const route = target.named ? WEBHOOK_ROUTES.two : WEBHOOK_ROUTES.one;
    trace.getActiveSpan()?.updateName(`POST ${route}`).setAttribute('http.route', route);
    const path = request.url!.split('?')[0].slice(0, 200);
    return this.cls.run(async () => {
      this.cls.set(CLS_ID, correlationId);
      const started = performance.now();
      let status: number;
      try {
        const answer = await this.ingress.receive({
          application: target.application,
          slug: target.slug,
          headers: headersOf(request),
          readBody: (maxBytes) => readBody(request, maxBytes),
          receivedAt: new Date(),
          sourceIp: sourceIpOf(request, this.trust),
        });
        status = answer.duplicate ? 200 : 202;
        send(response, status, correlationId, answer);
      } catch (error) {
        const mapped = mapException(error);
        status = mapped.status;
        if (status >= 500)
          this.logger.error({
            message: 'webhook failed',
            path,
            status,
            error: (error as Error)?.stack ?? String(error),
          });
        send(
          response,
          status,
          correlationId,
          buildErrorBody(
            status,
            mapped.message,
            request.url!.split('?')[0],
            correlationId,
            currentTraceId(),
            mapped.details,
          ),
          mapped.headers,
        );
        if (!request.complete) discardBody(request, response);
      }
      // A line per webhook only when asked for: built and then dropped below debug, it cost 1.5 % of the api's CPU.
      if (this.logRequests)
        this.logger.debug({
          message: 'request',
          method: 'POST',
          path,
          status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        });
    });
  }
}

/** Most bytes of an unread body drained to keep the connection alive; a larger (or unknown) body closes it. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/** After an answer that did not read the body: drain a small one, otherwise close the connection once answered. */
function discardBody(request: IncomingMessage, response: ServerResponse): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared <= DRAIN_LIMIT_BYTES) request.resume();
  else response.once('finish', () => request.destroy());
}

/** Header names are lower-case already; repeated headers are joined as one value. */
function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function send(
  response: ServerResponse,
  status: number,
  correlationId: string,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    [CORRELATION_HEADER]: correlationId,
    ...extraHeaders,
  });
  response.end(json);
}
