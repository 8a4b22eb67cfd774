import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

import { ApplicationScopeDto } from '../../../common/tenancy/application-scope.dto';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Fields an integration may change (all optional on PATCH). */
export class IntegrationSettingsDto {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: 300, description: 'Accepted clock skew of signed timestamps (stripe, standard)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  toleranceSeconds?: number;

  @ApiPropertyOptional({ default: 1_048_576, description: 'Larger bodies get 413' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16 * 1024 * 1024)
  maxBodyBytes?: number;

  @ApiPropertyOptional({ nullable: true, description: 'Webhooks per minute before 429; absent = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rateLimitPerMinute?: number;
}

export class CreateIntegrationDto extends IntersectionType(IntegrationSettingsDto, ApplicationScopeDto) {
  @ApiProperty({ example: 'stripe-eu', pattern: SLUG.source })
  @IsString()
  @Matches(SLUG, { message: 'slug must be lower-case letters, digits and dashes (at most 63)' })
  slug: string;

  @ApiProperty({ example: 'stripe', description: 'One of the registered providers' })
  @IsString()
  provider: string;

  @ApiProperty({
    description: 'Signing secret; for paypal the PayPal webhook id, for globex the token. Never shown again.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  secret: string;
}

/** An integration never moves to another application. */
export class UpdateIntegrationDto extends PartialType(OmitType(CreateIntegrationDto, ['application'] as const)) {
  @ApiPropertyOptional({ description: 'New secret; the current one keeps verifying for previousSecretTtlSeconds' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  rotateSecret?: string;

  @ApiPropertyOptional({ default: 86_400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86_400)
  previousSecretTtlSeconds?: number;
}
