import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, encodeCursor } from '../common/pagination/page';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { TenantContext } from '../common/tenancy/tenant-context';
import { EventQueryDto } from './dto/event-query.dto';
import { EventQueryRepository } from './event-query.repository';
import { detailView, listItem } from './event-views';
import { IdParam } from '../common/http/id-param';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
@RequireScope('read')
@ApplicationScoped()
export class EventsController {
  constructor(
    private readonly events: EventQueryRepository,
    private readonly tenant: TenantContext,
  ) {}

  /** Newest first; the cursor is a keyset position, so pages stay stable while events keep arriving. */
  @Get()
  async list(@Query() query: EventQueryDto) {
    const { limit, cursor, ...filter } = query;
    const rows = await this.events.search(filter, limit + 1, decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(listItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null,
    };
  }

  /** Admin keys see the request's signature and credential headers; other scopes see them redacted. */
  @Get(':id')
  async get(@IdParam() id: string, @CurrentActor() actor: Actor) {
    const event = await this.events.findDetail(id);
    if (!event) throw new NotFoundError(`No event ${id}`);
    this.tenant.assertVisible(event.integration.applicationId, `event ${id}`);
    const [replays, audit] = await Promise.all([this.events.replaysOf(id), this.events.auditOf(id)]);
    return detailView(event, replays, audit, { revealSensitiveHeaders: actor.scope === 'admin' });
  }

  @Get(':id/status')
  async status(@IdParam() id: string) {
    const event = await this.events.findDetail(id);
    if (!event) throw new NotFoundError(`No event ${id}`);
    this.tenant.assertVisible(event.integration.applicationId, `event ${id}`);
    return {
      eventId: event.id,
      status: event.status,
      deliveries: event.deliveries.map((delivery) => ({
        endpointId: delivery.endpointId,
        status: delivery.status,
        attempts: delivery.attemptCount,
      })),
    };
  }
}
