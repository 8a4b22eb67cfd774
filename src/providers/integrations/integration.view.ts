import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { IntegrationRow } from './integration.repository';

/** An integration as the API shows it: never a secret, only whether a rotated-out one is still accepted. */
export class IntegrationView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'default', description: 'The uid of the application it belongs to' }) application: string;
  @ApiProperty({ example: 'stripe-eu' }) slug: string;
  @ApiProperty({ example: 'stripe' }) provider: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty() toleranceSeconds: number;
  @ApiProperty() maxBodyBytes: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) rateLimitPerMinute: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Until when the previous secret still verifies' })
  previousSecretExpiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(integration: IntegrationRow, now = new Date()): IntegrationView {
    const previousValid =
      integration.previousSecret && integration.previousSecretExpiresAt && integration.previousSecretExpiresAt > now;
    return {
      id: integration.id,
      application: integration.application.uid,
      slug: integration.slug,
      provider: integration.provider,
      enabled: integration.enabled,
      toleranceSeconds: integration.toleranceSeconds,
      maxBodyBytes: integration.maxBodyBytes,
      rateLimitPerMinute: integration.rateLimitPerMinute,
      previousSecretExpiresAt: previousValid ? integration.previousSecretExpiresAt!.toISOString() : null,
      createdAt: integration.createdAt.toISOString(),
      updatedAt: integration.updatedAt.toISOString(),
    };
  }
}
