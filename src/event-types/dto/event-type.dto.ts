import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page';
import { ApplicationScopeDto } from '../../common/tenancy/application-scope.dto';

export { ApplicationScopeDto };

/** Event type names: dotted words such as `invoice.paid` (what providers and producers send as `type`). */
const EVENT_TYPE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}$/;

export class EventTypeSettingsDto {
  @ApiPropertyOptional({ example: 'An invoice was paid' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string;

  @ApiPropertyOptional({
    example: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } },
    description: "JSON Schema (draft 2020-12) that the generic provider's messages of this type must satisfy",
  })
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: false,
    description: 'Archived types stay in the catalog but their schema no longer applies',
  })
  @IsOptional()
  @IsBoolean()
  archived?: boolean;
}

export class CreateEventTypeDto extends IntersectionType(ApplicationScopeDto, EventTypeSettingsDto) {
  @ApiProperty({ example: 'invoice.paid', pattern: EVENT_TYPE_NAME.source })
  @IsString()
  @Matches(EVENT_TYPE_NAME, { message: 'name must be 1-200 letters, digits, dots, dashes, colons or underscores' })
  name: string;
}

export class EventTypeQueryDto extends IntersectionType(PageQueryDto, ApplicationScopeDto) {}
