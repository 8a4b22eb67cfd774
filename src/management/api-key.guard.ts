import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-errors';
import { ApiKeyService } from './api-key.service';
import { ApiKeyScope, scopeAllows } from './api-key.types';
import { REQUIRED_SCOPE } from './require-scope.decorator';

/** Reads `Authorization: Bearer <key>` or `x-api-key`. */
export function presentedKey(request: Request): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

/** Global guard: routes marked with @RequireScope need a valid key (401) of a sufficient scope (403). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<Request & { actor?: unknown }>();
    const key = presentedKey(request);
    if (!key) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key> or x-api-key');
    const actor = await this.keys.authenticate(key);
    if (!actor) throw new UnauthorizedError('Invalid API key');
    if (!scopeAllows(actor.scope, required)) throw new ForbiddenError(`This route needs the "${required}" scope; the key has "${actor.scope}"`);
    request.actor = actor;
    return true;
  }
}
