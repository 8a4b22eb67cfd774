import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { decodeCursor, keysetAfter, Page, PageQueryDto, toPage } from '../common/pagination/page';
import { PrismaService } from '../common/database/prisma.service';
import { DeliveryStatus, Prisma } from '../generated/prisma/client';
import { RequireScope } from '../management/require-scope.decorator';

const STATUSES = Object.values(DeliveryStatus);

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: DeliveryStatus;
}

export class DeadLetterQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
}

function after(cursor: string | undefined, field: 'createdAt' | 'deadLetteredAt'): Prisma.DeliveryWhereInput {
  return keysetAfter(field, decodeCursor(cursor));
}

/** Read-only views of deliveries; replays and redrives live with the replay module. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/v1')
@RequireScope('read')
export class DeliveriesController {
  constructor(private readonly prisma: PrismaService) {}

  @Get('deliveries')
  async list(@Query() query: DeliveryQueryDto): Promise<Page<object>> {
    const rows = await this.prisma.delivery.findMany({
      where: { eventId: query.eventId, endpointId: query.endpointId, status: query.status, ...after(query.cursor, 'createdAt') },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, (row) => ({ at: row.createdAt, id: row.id }), (row) => ({
      id: row.id,
      eventId: row.eventId,
      endpointId: row.endpointId,
      status: row.status,
      attemptCount: row.attemptCount,
      nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
      lastError: row.lastError,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  @Get('dead-letters')
  async deadLetters(@Query() query: DeadLetterQueryDto): Promise<Page<object>> {
    const rows = await this.prisma.delivery.findMany({
      where: { status: 'dead_lettered', endpointId: query.endpointId, ...after(query.cursor, 'deadLetteredAt') },
      orderBy: [{ deadLetteredAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, (row) => ({ at: row.deadLetteredAt!, id: row.id }), (row) => ({
      id: row.id,
      eventId: row.eventId,
      endpointId: row.endpointId,
      reason: row.deadLetterReason,
      attemptCount: row.attemptCount,
      deadLetteredAt: row.deadLetteredAt!.toISOString(),
    }));
  }
}
