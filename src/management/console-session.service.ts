import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { ApplicationDirectory } from '../applications/application-directory';
import { REDIS, RedisKeys } from '../common/redis/redis-client';
import { AppConfig } from '../config/app-config';
import { ApiKeyService } from './api-key.service';
import { Actor } from './api-key.types';

/** The cookie that carries a console session's id (nothing else). */
export const CONSOLE_SESSION_COOKIE = 'hookgate_console';

/** The application a console session's pages show (contract §7.1). */
export interface ConsoleApplication {
  id: string;
  uid: string;
}

/** A signed-in console session: the key's actor, resolved again on every request, and its CSRF token. */
export interface ConsoleSession {
  actor: Actor;
  csrfToken: string;
  expiresAt: number;
  /**
   * The one application the pages show: an application key's own, or the one a global key's session picked; null
   * for a global session showing every application.
   */
  application: ConsoleApplication | null;
}

interface StoredSession {
  keyId: string;
  csrfToken: string;
  expiresAt: number;
  /** The application a global key's session picked (an application key's session always shows its own). */
  pickedApplicationId?: string;
}

/**
 * Ops console sessions, server side in Redis with the session's TTL: the cookie holds only a random id, and Redis
 * only its SHA-256, so a Redis dump cannot be replayed as cookies. The key's scope and name are read from the
 * api_keys table on each request, so revoking the key ends its sessions at once.
 */
@Injectable()
export class ConsoleSessionService {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
    private readonly apiKeys: ApiKeyService,
    private readonly applications: ApplicationDirectory,
  ) {}

  get ttlMs(): number {
    return this.config.console.sessionTtlMs;
  }

  /** A new session for an authenticated actor; returns the id for the cookie. */
  async open(actor: Actor): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const stored: StoredSession = {
      keyId: actor.keyId,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: Date.now() + this.ttlMs,
    };
    await this.redis.set(this.redisKey(id), JSON.stringify(stored), 'PX', this.ttlMs);
    return { id, session: { actor, csrfToken: stored.csrfToken, expiresAt: stored.expiresAt, application: null } };
  }

  /** The live session of this id, or null (unknown, expired, its key revoked, or its key's application gone). */
  async find(id: string | undefined): Promise<ConsoleSession | null> {
    const stored = await this.stored(id);
    if (!stored) return null;
    const actor = await this.apiKeys.actorOfActiveKey(stored.keyId);
    if (!actor) return null;
    const applicationId = actor.applicationId ?? stored.pickedApplicationId;
    const application = applicationId ? await this.applications.byId(applicationId) : undefined;
    // An application deleted since a global session picked it leaves that session showing every application.
    if (actor.applicationId && !application) return null;
    return {
      actor,
      csrfToken: stored.csrfToken,
      expiresAt: stored.expiresAt,
      application: application ? { id: application.id, uid: application.uid } : null,
    };
  }

  /** A global key's session shows one application from now on (null: every application again). */
  async pick(id: string | undefined, applicationId: string | null): Promise<void> {
    const stored = await this.stored(id);
    if (!stored) return;
    const { pickedApplicationId, ...rest } = stored;
    void pickedApplicationId;
    const next: StoredSession = applicationId ? { ...rest, pickedApplicationId: applicationId } : rest;
    const ttlMs = stored.expiresAt - Date.now();
    if (ttlMs > 0) await this.redis.set(this.redisKey(id!), JSON.stringify(next), 'PX', ttlMs);
  }

  async close(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.redisKey(id));
  }

  /** Constant-time comparison of a presented CSRF token with the session's (a console's or a portal's). */
  static csrfMatches(session: { csrfToken: string }, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(session.csrfToken);
    const given = Buffer.from(presented);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private async stored(id: string | undefined): Promise<StoredSession | null> {
    if (!id || id.length > 100) return null;
    const raw = await this.redis.get(this.redisKey(id));
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  }

  private redisKey(id: string): string {
    return this.keys.key('console-session', createHash('sha256').update(id).digest('hex'));
  }
}
