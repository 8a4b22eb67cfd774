import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** The longest per-attempt timeout an endpoint may set (DELIVERY_TIMEOUT_MS has the same bound). */
export const MAX_ENDPOINT_TIMEOUT_MS = 300_000;

export class EndpointFilterDto {
  @ApiPropertyOptional({ type: [String], example: ['stripe'], description: 'Integration slugs (`*` wildcards); absent = all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  integrations?: string[];

  @ApiPropertyOptional({ type: [String], example: ['invoice.*'], description: 'Event types (`*` wildcards); absent = all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  eventTypes?: string[];
}

export class CreateEndpointDto {
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
}

export class UpdateEndpointDto extends PartialType(CreateEndpointDto) {}
