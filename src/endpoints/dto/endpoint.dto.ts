import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApplicationScopeDto } from '../../common/tenancy/application-scope.dto';
import { EndpointAuthInput } from '../endpoint-auth';

/** The longest per-attempt timeout an endpoint may set (DELIVERY_TIMEOUT_MS has the same bound). */
export const MAX_ENDPOINT_TIMEOUT_MS = 300_000;

export class EndpointFilterDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['stripe'],
    description: 'Integration slugs (`*` wildcards); absent = all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  integrations?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['invoice.*'],
    description: 'Event types (`*` wildcards); absent = all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({
    example: { 'data.object.currency': 'eur', 'data.object.amount': { gte: 1000 }, 'data.livemode': { in: [true] } },
    description:
      'Dotted path on the event envelope → value (eq) or operators `eq`, `in`, `gte`, `lte`, `exists`; all must hold',
  })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}

/** `auth`: which fields are required depends on `type` (checked by the service, which names the missing one). */
export class EndpointAuthDto implements EndpointAuthInput {
  @ApiProperty({
    enum: ['bearer', 'oauth2_client_credentials', 'none'],
    description: '`none` removes the auth (PATCH)',
  })
  @IsIn(['bearer', 'oauth2_client_credentials', 'none'])
  type: 'bearer' | 'oauth2_client_credentials' | 'none';

  @ApiPropertyOptional({ description: 'bearer: sent as `Authorization: Bearer <token>`; never shown by reads' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;

  @ApiPropertyOptional({ description: 'oauth2_client_credentials: the token endpoint (SSRF guard applies)' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  tokenUrl?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) clientId?: string;

  @ApiPropertyOptional({ description: 'never shown by reads' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  clientSecret?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) scope?: string;
}

/** The largest transformation accepted: a handler, not a library. */
export const MAX_TRANSFORMATION_CODE_LENGTH = 65_536;

/** Contract §7.5. */
export const ENDPOINT_ORDERINGS = ['none', 'fifo'] as const;
export type EndpointOrdering = (typeof ENDPOINT_ORDERINGS)[number];

/** `transformation` (contract §7.4): checked in the sandbox when written, so code that cannot run is refused here. */
export class TransformationDto {
  @ApiProperty({
    example: 'function handler(webhook) { webhook.payload = { text: webhook.payload.type }; return webhook; }',
    description:
      'JavaScript defining `function handler(webhook)`: gets `{method, url, headers, payload}`, returns it changed or `{cancel: true}`; empty removes the transformation (PATCH)',
  })
  @IsString()
  @MaxLength(MAX_TRANSFORMATION_CODE_LENGTH)
  code: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateEndpointDto extends ApplicationScopeDto {
  @ApiProperty({ example: 'https://example.com/hooks' })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: EndpointFilterDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EndpointFilterDto)
  filter?: EndpointFilterDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Attempts before dead-lettering; default = DELIVERY_RETRY_SCHEDULE length + 1' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  maxAttempts?: number;

  @ApiPropertyOptional({ description: 'Per-attempt timeout; default DELIVERY_TIMEOUT_MS' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(MAX_ENDPOINT_TIMEOUT_MS)
  timeoutMs?: number;

  @ApiPropertyOptional({
    description:
      'At most this many delivery attempts per second, across every worker; the rest wait without using attempts',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  rateLimitPerSecond?: number;

  @ApiPropertyOptional({
    example: { 'x-tenant': 'eu-1' },
    description: "Static headers added to every delivery; Hookgate's own headers are refused",
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: EndpointAuthDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EndpointAuthDto)
  auth?: EndpointAuthDto;

  @ApiPropertyOptional({ type: TransformationDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TransformationDto)
  transformation?: TransformationDto;

  @ApiPropertyOptional({
    enum: ENDPOINT_ORDERINGS,
    default: 'none',
    description:
      '`fifo`: the deliveries sharing an ordering key go one at a time, in the order their events were received',
  })
  @IsOptional()
  @IsIn(ENDPOINT_ORDERINGS)
  ordering?: EndpointOrdering;
}

/** An endpoint never moves to another application. */
export class UpdateEndpointDto extends PartialType(OmitType(CreateEndpointDto, ['application'] as const)) {}

/** `POST /endpoints/:id/transformation/test` (contract §7.4): `code`, or the endpoint's own, run on `payload`. */
export class TestTransformationDto {
  @ApiPropertyOptional({ description: "Code to try; absent = the endpoint's transformation" })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TRANSFORMATION_CODE_LENGTH)
  code?: string;

  @ApiProperty({ example: { type: 'invoice.paid', data: { amount: 1200 } }, description: 'The payload handed in' })
  @IsDefined()
  payload: unknown;
}

/** The longest grace period of a rotated-out endpoint secret (contract §7.6): seven days. */
export const MAX_SECRET_GRACE_SECONDS = 604_800;

/** `POST /endpoints/:id/rotate-secret` (contract §7.6); an absent body rotates with no grace period. */
export class RotateEndpointSecretDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_SECRET_GRACE_SECONDS,
    default: 0,
    description:
      'For this long every delivery is signed with the new and the previous secret (two `v1,` signatures); 0 = only the new one at once',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SECRET_GRACE_SECONDS)
  gracePeriodSeconds?: number;
}
