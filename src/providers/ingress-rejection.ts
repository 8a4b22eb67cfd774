import { DomainError } from '../common/errors/domain-errors';

/** Why a webhook was refused; also the `outcome` label of hookgate_ingress_requests_total. */
export type RejectionReason =
  | 'verification_failed'
  | 'stale_timestamp'
  | 'unparsable_body'
  | 'payload_too_large'
  | 'unsupported_encoding'
  | 'unknown_integration'
  | 'rate_limited'
  | 'schema_mismatch'
  | 'dependency_unavailable';

const STATUS: Record<RejectionReason, number> = {
  verification_failed: 401,
  stale_timestamp: 401,
  unparsable_body: 400,
  payload_too_large: 413,
  unsupported_encoding: 415,
  unknown_integration: 404,
  rate_limited: 429,
  schema_mismatch: 422,
  dependency_unavailable: 503,
};

/** A typed refusal of a webhook; the global filter turns it into the contract's error body. */
export class IngressRejection extends DomainError {
  readonly status: number;

  constructor(
    readonly reason: RejectionReason,
    message: string,
    retryAfterSeconds?: number,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = STATUS[reason];
    if (details) Object.assign(this.details, details);
    if (retryAfterSeconds !== undefined)
      this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}
