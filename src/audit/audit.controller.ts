import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Page, PageQueryDto } from '../common/pagination/page';
import { RequireScope } from '../management/require-scope.decorator';
import { AuditEntryView, AuditService } from './audit.service';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() from?: Date;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() to?: Date;
}

/** The append-only trail, newest first. There is no route (and no code) that changes or removes an entry. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-entries')
@RequireScope('read')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEntryView>> {
    const { limit, cursor, ...filter } = query;
    return this.audit.search(filter, limit, cursor);
  }
}
