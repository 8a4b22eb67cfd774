import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ApplicationListQueryDto } from '../../common/tenancy/application-filter';
import { AuditSearch } from '../audit.types';

/** GET /audit-entries: the trail's filters, paged, and `?application=` (contract §7.1). */
export class AuditQueryDto extends ApplicationListQueryDto implements Omit<AuditSearch, 'applicationId'> {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() from?: Date;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() to?: Date;
}
