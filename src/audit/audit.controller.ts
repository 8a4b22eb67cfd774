import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PrismaService } from '../common/database/prisma.service';
import { decodeCursor, keysetAfter, PageQueryDto, toPage } from '../common/pagination/page';
import { RequireScope } from '../management/require-scope.decorator';

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
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  async list(@Query() query: AuditQueryDto) {
    const after = decodeCursor(query.cursor);
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        eventId: query.eventId,
        action: query.action,
        actor: query.actor,
        at: { gte: query.from, lt: query.to },
        ...keysetAfter('at', after),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, (row) => ({ at: row.at, id: row.id }), (row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      ...(row.eventId ? { eventId: row.eventId } : {}),
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      details: row.details,
    }));
  }
}
