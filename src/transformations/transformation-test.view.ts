import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OutgoingWebhook, TransformationResult } from './transformation.types';

/** The answer of `POST /endpoints/:id/transformation/test`: what the handler made of the webhook, or why it failed. */
export class TransformationTestView {
  @ApiPropertyOptional({
    nullable: true,
    example: { method: 'POST', url: 'https://example.com/hooks', headers: {}, payload: { text: 'invoice.paid' } },
    description: 'The webhook as it would be sent (then signed); null when cancelled or failed',
  })
  result: OutgoingWebhook | null;
  @ApiProperty({ description: 'The handler returned `{"cancel": true}`: the delivery would be skipped' })
  cancelled: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'exceeded 50 ms of CPU' })
  error: string | null;

  static of(result: TransformationResult): TransformationTestView {
    return {
      result: result.kind === 'send' ? result.webhook : null,
      cancelled: result.kind === 'cancel',
      error: result.kind === 'error' ? result.error : null,
    };
  }
}
