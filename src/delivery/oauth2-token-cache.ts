import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { AppConfig } from '../config/app-config';
import { assertAllowedLiteral, guardedLookup } from './ssrf-guard';

/** The client credentials of an endpoint's `oauth2_client_credentials` auth. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/** A token request that did not give a token; its message names the token URL's host and the answer, never a secret. */
export class OAuth2TokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OAuth2TokenError';
  }
}

/** A token is used until this long before it expires (or a tenth of its lifetime, when that is shorter). */
const EXPIRY_MARGIN_MS = 30_000;
/** Without `expires_in`, a token is kept this long. */
const DEFAULT_LIFETIME_MS = 300_000;
const TOKEN_TIMEOUT_MS = 10_000;
const MAX_CACHED = 10_000;

interface CachedToken {
  token: Promise<string>;
  /** Refetch after this (epoch ms); Infinity while the fetch is in flight. */
  until: number;
}

interface FetchedToken {
  token: string;
  until: number;
}

/**
 * OAuth2 client-credentials tokens (RFC 6749 §4.4) per endpoint, shared by every job of this worker process: one
 * fetch in flight per endpoint, kept until shortly before it expires. The key includes a digest of the credentials,
 * so changed credentials fetch a new token at once. Token URLs go through the SSRF guard like deliveries.
 */
@Injectable()
export class OAuth2TokenCache implements OnModuleDestroy {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly agent: Agent;

  constructor(private readonly config: AppConfig) {
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      connect: config.delivery.allowPrivateNetworks ? {} : { lookup: guardedLookup },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  /** A valid token for the endpoint: the cached one, the one being fetched, or a new fetch. */
  token(endpointId: string, credentials: ClientCredentials): Promise<string> {
    const key = this.keyOf(endpointId, credentials);
    const cached = this.tokens.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const fetched = this.fetch(credentials);
    const entry: CachedToken = { token: fetched.then((result) => result.token), until: Infinity };
    if (this.tokens.size >= MAX_CACHED) this.tokens.clear();
    this.tokens.set(key, entry);
    fetched.then(
      (result) => (entry.until = result.until),
      () => this.tokens.get(key) === entry && this.tokens.delete(key),
    );
    return entry.token;
  }

  /** Forgets `token` (the endpoint refused it); a newer token fetched meanwhile stays. */
  async invalidate(endpointId: string, credentials: ClientCredentials, token: string): Promise<void> {
    const key = this.keyOf(endpointId, credentials);
    const cached = this.tokens.get(key);
    if (cached && (await cached.token.catch(() => null)) === token && this.tokens.get(key) === cached)
      this.tokens.delete(key);
  }

  private keyOf(endpointId: string, credentials: ClientCredentials): string {
    const digest = createHash('sha256')
      .update(
        JSON.stringify([
          credentials.tokenUrl,
          credentials.clientId,
          credentials.clientSecret,
          credentials.scope ?? null,
        ]),
      )
      .digest('base64url');
    return `${endpointId}:${digest}`;
  }

  private async fetch(credentials: ClientCredentials): Promise<FetchedToken> {
    const url = new URL(credentials.tokenUrl);
    const started = Date.now();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      ...(credentials.scope ? { scope: credentials.scope } : {}),
    });
    // client_secret_basic (RFC 6749 §2.3.1): both parts form-encoded, then base64.
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString('base64');
    let status: number;
    let body: unknown;
    try {
      if (!this.config.delivery.allowPrivateNetworks) assertAllowedLiteral(url.hostname);
      const response = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${basic}`,
        },
        body: form.toString(),
        dispatcher: this.agent,
        headersTimeout: TOKEN_TIMEOUT_MS,
        bodyTimeout: TOKEN_TIMEOUT_MS,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
      status = response.statusCode;
      body = await response.body.json().catch(() => null);
    } catch (error) {
      throw new OAuth2TokenError(`OAuth2 token request to ${url.host} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const answer = (body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (status < 200 || status >= 300 || typeof answer.access_token !== 'string' || !answer.access_token) {
      const reason = typeof answer.error === 'string' ? ` (${answer.error.slice(0, 100)})` : '';
      throw new OAuth2TokenError(
        `OAuth2 token request to ${url.host} answered ${status}${reason} without an access token`,
      );
    }
    const lifetimeMs =
      typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    return { token: answer.access_token, until: started + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10) };
  }
}
