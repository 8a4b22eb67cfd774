import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { Agent, errors as undiciErrors, request } from 'undici';
import { AppConfig } from '../config/app-config';
import { assertAllowedLiteral, guardedLookup, RefusedAddressError } from './ssrf-guard';
import { HOOKGATE_VERSION } from '../common/version';
import { AttemptOutcome, classifyStatus, parseRetryAfter } from './retry-policy';

/** What to send: the delivery id is the Standard Webhooks message id, stable across retries and replays. */
export interface OutgoingDelivery {
  deliveryId: string;
  /** POST unless a transformation chose PUT or PATCH. */
  method?: string;
  url: string;
  payload: string;
  /** Current secret first; a rotated-out one still in its grace period adds a second signature. */
  secrets: string[];
  timeoutMs: number;
  /** The endpoint's static headers (validated on write: none of Hookgate's own). */
  headers?: Record<string, string>;
  /** `Authorization` value from the endpoint's auth; recorded as redacted. */
  authorization?: string;
}

/** What happened, ready to be recorded as a delivery attempt. */
export interface AttemptResult {
  outcome: AttemptOutcome;
  /** The URL requested, when a transformation changed the endpoint's. */
  url?: string;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  retryAfterMs?: number;
  error: string | null;
  errorClass: string | null;
  durationMs: number;
}

function findCause<T>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof type) return current;
  }
  return undefined;
}

/** Decoded signing keys by secret: decoding base64 once per secret, not once per attempt. */
const MAX_CACHED_KEYS = 10_000;

/** Signed POSTs over pooled connections (undici), no redirects, per-attempt timeout, response body capped. */
@Injectable()
export class DeliverySender implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly config: AppConfig) {
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      connections: 64,
      connect: config.delivery.allowPrivateNetworks ? {} : { lookup: guardedLookup },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async send(delivery: OutgoingDelivery): Promise<AttemptResult> {
    const timestamp = new Date();
    const signature = delivery.secrets
      .map((secret) => this.sign(secret, delivery.deliveryId, timestamp, delivery.payload))
      .join(' ');
    const headers: Record<string, string> = {
      ...delivery.headers,
      ...(delivery.authorization ? { authorization: delivery.authorization } : {}),
      'content-type': 'application/json',
      'user-agent': `Hookgate/${HOOKGATE_VERSION}`,
      'webhook-id': delivery.deliveryId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const recordedHeaders = {
      ...headers,
      'webhook-signature': '[redacted]',
      ...(delivery.authorization ? { authorization: '[redacted]' } : {}),
    };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // The whole attempt's deadline (a body trickled slower than bodyTimeout resets it on every chunk). A timer
    // cleared with the attempt, not AbortSignal.timeout: its timer and weak references live until it fires or
    // a full collection, thousands of them at a busy worker's rate.
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`timed out after ${delivery.timeoutMs} ms`, 'TimeoutError')),
      delivery.timeoutMs,
    );
    try {
      if (!this.config.delivery.allowPrivateNetworks) assertAllowedLiteral(new URL(delivery.url).hostname);
      const response = await request(delivery.url, {
        method: (delivery.method ?? 'POST') as 'POST',
        headers,
        body: delivery.payload,
        dispatcher: this.agent,
        headersTimeout: delivery.timeoutMs,
        bodyTimeout: delivery.timeoutMs,
        signal: deadline.signal,
      });
      const responseBody = await this.readCapped(response.body);
      const responseHeaders = Object.fromEntries(
        Object.entries(response.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : String(value),
        ]),
      );
      return {
        outcome: classifyStatus(response.statusCode),
        requestHeaders: recordedHeaders,
        responseStatus: response.statusCode,
        responseHeaders,
        responseBody,
        retryAfterMs: parseRetryAfter(responseHeaders['retry-after']),
        error: response.statusCode >= 300 ? `endpoint answered ${response.statusCode}` : null,
        errorClass: null,
        durationMs: elapsed(),
      };
    } catch (error) {
      const refused = findCause(error, RefusedAddressError);
      const timedOut =
        findCause(error, undiciErrors.HeadersTimeoutError) ??
        findCause(error, undiciErrors.BodyTimeoutError) ??
        ((error as Error).name === 'TimeoutError' ? error : undefined);
      return {
        outcome: refused ? 'refused' : 'retryable',
        requestHeaders: recordedHeaders,
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
        error: refused
          ? `refused by the SSRF guard: ${refused.message}`
          : timedOut
            ? `timed out after ${delivery.timeoutMs} ms`
            : (error as Error).message,
        errorClass: refused
          ? 'RefusedAddressError'
          : timedOut
            ? 'TimeoutError'
            : ((error as { code?: string }).code ?? (error as Error).name),
        durationMs: elapsed(),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over `id.timestamp.payload` with the secret's decoded key. */
  private sign(secret: string, id: string, timestamp: Date, payload: string): string {
    let key = this.keys.get(secret);
    if (!key) {
      key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
      if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
      this.keys.set(secret, key);
    }
    const mac = createHmac('sha256', key)
      .update(`${id}.${Math.floor(timestamp.getTime() / 1000)}.${payload}`)
      .digest('base64');
    return `v1,${mac}`;
  }

  /** The answer's first bytes as text; NUL characters (which PostgreSQL text cannot hold) become U+FFFD. */
  private async readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
    const limit = this.config.delivery.responseBodyMaxBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        body.destroy();
        break;
      }
    }
    return Buffer.concat(chunks).subarray(0, limit).toString('utf8').replaceAll('\u0000', '\ufffd');
  }
}
