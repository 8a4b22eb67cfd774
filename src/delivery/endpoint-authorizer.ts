import { Injectable } from '@nestjs/common';
import { EndpointAuth } from '../endpoints/endpoint-auth';
import { AttemptResult, DeliverySender, OutgoingDelivery } from './delivery-sender';
import { OAuth2TokenCache, OAuth2TokenError } from './oauth2-token-cache';
import { RefusedAddressError } from './ssrf-guard';

function hasRefusedCause(error: unknown): boolean {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (current instanceof RefusedAddressError) return true;
  }
  return false;
}

/** An attempt that ended at the token endpoint: nothing was sent to the receiver. */
function tokenFailure(error: unknown, durationMs: number): AttemptResult {
  const refused = hasRefusedCause(error);
  return {
    outcome: refused ? 'refused' : 'retryable',
    requestHeaders: {},
    responseStatus: null,
    responseHeaders: null,
    responseBody: null,
    error: refused ? `refused by the SSRF guard: ${(error as Error).message}` : (error as Error).message,
    errorClass: refused ? 'RefusedAddressError' : 'OAuth2TokenError',
    durationMs,
  };
}

/**
 * Sends a delivery with its endpoint's auth (§6.6): a bearer token as is; an OAuth2 client-credentials token from
 * the worker's cache, fetched again once, and the delivery sent again once, when the endpoint answers 401 (the token
 * was revoked or expired early). Both sends are one attempt.
 */
@Injectable()
export class EndpointAuthorizer {
  constructor(
    private readonly sender: DeliverySender,
    private readonly tokens: OAuth2TokenCache,
  ) {}

  async send(endpointId: string, storedAuth: string | null, delivery: OutgoingDelivery): Promise<AttemptResult> {
    const auth = storedAuth ? (JSON.parse(storedAuth) as EndpointAuth) : null;
    if (!auth) return this.sender.send(delivery);
    if (auth.type === 'bearer') return this.sender.send({ ...delivery, authorization: `Bearer ${auth.token}` });

    const started = performance.now();
    let token: string;
    try {
      token = await this.tokens.token(endpointId, auth);
    } catch (error) {
      if (error instanceof OAuth2TokenError) return tokenFailure(error, Math.round(performance.now() - started));
      throw error;
    }
    const first = await this.sender.send({ ...delivery, authorization: `Bearer ${token}` });
    if (first.responseStatus !== 401) return first;
    await this.tokens.invalidate(endpointId, auth, token);
    try {
      token = await this.tokens.token(endpointId, auth);
    } catch (error) {
      if (error instanceof OAuth2TokenError) return first;
      throw error;
    }
    const second = await this.sender.send({ ...delivery, authorization: `Bearer ${token}` });
    return { ...second, durationMs: first.durationMs + second.durationMs };
  }
}
