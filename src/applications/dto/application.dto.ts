import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { APPLICATION_UID_PATTERN } from '../../common/tenancy/default-application';

/** How the customer portal (§7.2) presents the application, and which origins may embed it. */
export class PortalSettingsDto {
  @ApiPropertyOptional({ example: 'Acme Webhooks' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ example: 'https://acme.example/logo.png' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_tld: false })
  @MaxLength(2_000)
  logoUrl?: string;

  @ApiPropertyOptional({ example: '#0a66c2' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'primaryColor must be a colour like #0a66c2' })
  primaryColor?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://app.acme.example'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^https?:\/\/[^\s/'";]+$/, {
    each: true,
    message: 'allowedOrigins must be origins like https://app.example',
  })
  allowedOrigins?: string[];
}

/** Fields an application may change (all optional on PATCH); its uid never changes. */
export class ApplicationSettingsDto {
  @ApiPropertyOptional({ example: { plan: 'enterprise' }, description: 'Free-form JSON for the platform' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Webhooks per second across every api process before 429; absent = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rateLimitPerSecond?: number;

  @ApiPropertyOptional({ type: PortalSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PortalSettingsDto)
  portal?: PortalSettingsDto;
}

export class CreateApplicationDto extends ApplicationSettingsDto {
  @ApiProperty({ example: 'acme', pattern: APPLICATION_UID_PATTERN.source })
  @IsString()
  @Matches(APPLICATION_UID_PATTERN, {
    message: 'uid must be 1-64 lower-case letters, digits, dashes and underscores, starting with a letter or digit',
  })
  uid: string;

  @ApiProperty({ example: 'Acme Inc.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

export class UpdateApplicationDto extends ApplicationSettingsDto {
  @ApiPropertyOptional({ example: 'Acme Inc.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}
