import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { RequireScope } from '../management/require-scope.decorator';
import { DeliveryQueryRepository } from './delivery-query.repository';
import { DeadLetterQueryDto, DeliveryQueryDto } from './dto/delivery-query.dto';

/** Read-only views of deliveries; replays and redrives live with the replay module. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/v1')
@RequireScope('read')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveryQueryRepository) {}

  @Get('deliveries')
  async list(@Query() query: DeliveryQueryDto): Promise<Page<object>> {
    const rows = await this.deliveries.list(query, query.limit + 1, decodeCursor(query.cursor));
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
    const rows = await this.deliveries.deadLetters(query, query.limit + 1, decodeCursor(query.cursor));
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
