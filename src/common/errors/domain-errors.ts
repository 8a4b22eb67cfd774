/**
 * Errors thrown by domain and worker code. They know their HTTP status so the global filter can answer with the
 * contract's error body, but carry no HTTP types: workers throw them too.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> = {};
  /** Fields the error body carries beyond the contract's own, e.g. a schema's `errors` (§7.3). */
  readonly details: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
}

export class InvalidRequestError extends DomainError {
  readonly status = 400;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}
