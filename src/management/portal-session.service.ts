import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { ApplicationDirectory } from '../applications/application-directory';
import { REDIS, RedisKeys } from '../common/redis/redis-client';
import { AppConfig } from '../config/app-config';
import { Application } from '../generated/prisma/client';
import { Actor } from './api-key.types';

/** The cookie that carries a portal session's id; it is sent to /portal only, never to the management API. */
export const PORTAL_SESSION_COOKIE = 'hookgate_portal';

/** `manage` changes endpoints and replays; `read` only looks (contract §7.2). */
export const PORTAL_ACCESSES = ['manage', 'read'] as const;
export type PortalAccess = (typeof PORTAL_ACCESSES)[number];

/** A customer's session in the portal of one application, resolved again on every request. */
export interface PortalSession {
  application: Application;
  access: PortalAccess;
  csrfToken: string;
  expiresAt: number;
  /** What the services and the audit see: `portal:<application uid>`, confined to the application. */
  actor: Actor;
}

interface StoredLink {
  applicationId: string;
  access: PortalAccess;
}

interface StoredSession extends StoredLink {
  csrfToken: string;
  expiresAt: number;
}

/**
 * Portal links and sessions, in Redis like console sessions: a link's token and a session's id are random, and
 * Redis holds only their SHA-256, so a Redis dump opens nothing. A link is taken with GETDEL, so it opens once
 * even when two requests race. A disabled application's sessions stop at once (the directory is asked each time).
 */
@Injectable()
export class PortalSessionService {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
    private readonly applications: ApplicationDirectory,
  ) {}

  /** A session lasts as long as a console session (CONSOLE_SESSION_TTL), however short-lived its link was. */
  get ttlMs(): number {
    return this.config.console.sessionTtlMs;
  }

  /** A one-time link token for this application; returns the token (for the URL only) and its expiry. */
  async createLink(applicationId: string, access: PortalAccess, ttlSeconds: number): Promise<{ token: string }> {
    const token = randomBytes(32).toString('base64url');
    const stored: StoredLink = { applicationId, access };
    await this.redis.set(this.redisKey('portal-link', token), JSON.stringify(stored), 'EX', ttlSeconds);
    return { token };
  }

  /** Exchanges a link's token for a new session (once); null for a used, expired or forged token. */
  async redeem(token: string | undefined): Promise<{ id: string; session: PortalSession } | null> {
    if (!token || token.length > 100) return null;
    const raw = await this.redis.getdel(this.redisKey('portal-link', token));
    if (!raw) return null;
    const link = JSON.parse(raw) as StoredLink;
    const id = randomBytes(32).toString('base64url');
    const stored: StoredSession = {
      ...link,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: Date.now() + this.ttlMs,
    };
    const session = await this.sessionOf(stored);
    if (!session) return null;
    await this.redis.set(this.redisKey('portal-session', id), JSON.stringify(stored), 'PX', this.ttlMs);
    return { id, session };
  }

  /** The live session of this id, or null (unknown, expired, or its application disabled). */
  async find(id: string | undefined): Promise<PortalSession | null> {
    if (!id || id.length > 100) return null;
    const raw = await this.redis.get(this.redisKey('portal-session', id));
    return raw ? this.sessionOf(JSON.parse(raw) as StoredSession) : null;
  }

  async close(id: string | undefined): Promise<void> {
    if (id) await this.redis.del(this.redisKey('portal-session', id));
  }

  private async sessionOf(stored: StoredSession): Promise<PortalSession | null> {
    const application = await this.applications.byId(stored.applicationId);
    if (!application || application.disabledAt) return null;
    return {
      application,
      access: stored.access,
      csrfToken: stored.csrfToken,
      expiresAt: stored.expiresAt,
      actor: {
        keyId: `portal:${application.id}`,
        name: `portal:${application.uid}`,
        scope: stored.access === 'manage' ? 'admin' : 'read',
        applicationId: application.id,
      },
    };
  }

  private redisKey(kind: 'portal-link' | 'portal-session', secret: string): string {
    return this.keys.key(kind, createHash('sha256').update(secret).digest('hex'));
  }
}
