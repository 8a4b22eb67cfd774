import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../common/errors/domain-errors';
import { WindowCounter } from '../common/redis/window-counter';
import { AppConfig } from '../config/app-config';
import { ApiKeyService } from './api-key.service';
import { ApiKeyScope, scopeAllows } from './api-key.types';
import { PUBLIC, REQUIRED_SCOPE } from './require-scope.decorator';

/** Reads `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedKey(request: Request): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

const WINDOW_MS = 60_000;
/** Failed authentications one source IP may make per minute before it gets 429 (contract §6.4). */
const FAILED_AUTHENTICATIONS_PER_IP = 20;

/**
 * Global guard: routes marked with @RequireScope need a valid key (401) of a sufficient scope (403), within the
 * key's request budget (429); more than 20 failed authentications a minute from one address are 429 too. Both
 * are WindowCounters, shared by every api process and failing open without Redis.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly config: AppConfig,
    private readonly counters: WindowCounter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<ApiKeyScope | typeof PUBLIC | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (required === PUBLIC) return true;
    if (!required) throw new ForbiddenError('This route declares no access rule, so it is refused');
    const request = context.switchToHttp().getRequest<Request & { actor?: unknown }>();
    const failures = ['auth-failures', request.ip ?? 'unknown'];
    const standing = this.counters.check(failures);
    if (standing.blocked) throw this.tooManyFailures(standing.retryAfterSeconds);
    const key = presentedKey(request);
    const actor = key ? await this.keys.authenticate(key) : null;
    if (!actor) {
      const after = await this.counters.hit(failures, FAILED_AUTHENTICATIONS_PER_IP, WINDOW_MS);
      if (after.blocked) throw this.tooManyFailures(after.retryAfterSeconds);
      throw new UnauthorizedError(key ? 'Invalid API key' : 'Missing API key: send Authorization: Bearer <key> or x-api-key');
    }
    if (!scopeAllows(actor.scope, required)) throw new ForbiddenError(`This route needs the "${required}" scope; the key has "${actor.scope}"`);
    await this.checkBudget(actor.keyId);
    request.actor = actor;
    return true;
  }

  private tooManyFailures(retryAfterSeconds: number): RateLimitedError {
    return new RateLimitedError(`More than ${FAILED_AUTHENTICATIONS_PER_IP} failed authentications per minute from this address`, retryAfterSeconds);
  }

  private async checkBudget(keyId: string): Promise<void> {
    const limit = this.config.managementRateLimitPerMinute;
    const standing = await this.counters.hit(['mgmt-ratelimit', keyId], limit, WINDOW_MS);
    if (standing.blocked) throw new RateLimitedError(`More than ${limit} management requests per minute with this key`, standing.retryAfterSeconds);
  }
}
