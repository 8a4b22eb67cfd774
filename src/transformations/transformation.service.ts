import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { TransformationSandbox } from './transformation-sandbox';
import { OutgoingWebhook, TransformationResult } from './transformation.types';

/** Endpoint transformations: checked when written, run before each attempt is signed, tried out on request. */
@Injectable()
export class TransformationService {
  constructor(private readonly sandbox: TransformationSandbox) {}

  /** Refuses (400) code that does not compile or defines no handler, so it fails here and not at every delivery. */
  async assertUsable(code: string): Promise<void> {
    const problem = await this.sandbox.check(code);
    if (problem) throw new InvalidRequestError(`transformation: ${problem}`);
  }

  /** The endpoint's transformation (its `code`) applied to `webhook`, before the delivery is signed. */
  apply(endpointId: string, code: string, webhook: OutgoingWebhook): Promise<TransformationResult> {
    return this.sandbox.run(`endpoint:${endpointId}`, code, webhook);
  }

  /** A trial run (POST /endpoints/:id/transformation/test): `code` or the endpoint's own, on a given payload. */
  tryOut(endpointId: string, code: string, webhook: OutgoingWebhook): Promise<TransformationResult> {
    return this.sandbox.run(`trial:${endpointId}`, code, webhook);
  }
}
