import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { NotFoundError } from '../common/errors/domain-errors';
import { IdParam } from '../common/http/id-param';
import { decodeCursor, encodeCursor } from '../common/pagination/page';
import { TenantContext } from '../common/tenancy/tenant-context';
import { formAs, seeOther } from '../console/console-http';
import { filtersOf, HtmlPage } from '../console/console-page';
import { EndpointService } from '../endpoints/endpoint.service';
import { EventQueryDto } from '../events/dto/event-query.dto';
import { EventQueryRepository } from '../events/event-query.repository';
import { orderingKeyOf } from '../events/event-views';
import { PortalRoute } from '../management/require-scope.decorator';
import { ReplayEventDto } from '../replay/dto/replay.dto';
import { ReplayService } from '../replay/replay.service';
import { PortalController, portalContext, PortalRequest } from './portal-page';
import { portalEventPage, portalEventsPage } from './views/portal-events.view';

/**
 * The portal's event log (contract §7.2): the application's events, one with its deliveries and every attempt's
 * request and response, and replaying it (`manage`). The raw request as received is the platform's, not shown.
 */
@PortalController('portal/events')
export class PortalEventsController {
  constructor(
    private readonly events: EventQueryRepository,
    private readonly endpoints: EndpointService,
    private readonly replays: ReplayService,
    private readonly tenant: TenantContext,
  ) {}

  @Get()
  @HtmlPage()
  async list(@Req() request: PortalRequest): Promise<string> {
    const { type, status, cursor } = filtersOf(request);
    const query = await formAs(EventQueryDto, { type, status, cursor });
    const rows = await this.events.search(
      { type: query.type, status: query.status },
      query.limit + 1,
      decodeCursor(query.cursor),
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null;
    return portalEventsPage(
      portalContext(request, 'events'),
      { type: query.type, status: query.status },
      page.map((row) => ({ id: row.id, type: row.type, status: row.status, receivedAt: row.receivedAt.toISOString() })),
      nextCursor,
    );
  }

  @Get(':id')
  @HtmlPage()
  async get(@IdParam() id: string, @Req() request: PortalRequest): Promise<string> {
    const event = await this.events.findDetail(id);
    if (!event) throw new NotFoundError(`No event ${id}`);
    this.tenant.assertVisible(event.integration.applicationId, `event ${id}`);
    const urls = new Map<string, string>();
    for (const endpointId of new Set(event.deliveries.map((delivery) => delivery.endpointId)))
      urls.set(endpointId, (await this.endpoints.require(endpointId).catch(() => null))?.url ?? 'a deleted endpoint');
    return portalEventPage(portalContext(request, 'events'), {
      id: event.id,
      type: event.type,
      status: event.status,
      receivedAt: event.receivedAt.toISOString(),
      orderingKey: orderingKeyOf(event),
      data: event.data,
      deliveries: event.deliveries.map((delivery) => ({
        id: delivery.id,
        endpointId: delivery.endpointId,
        endpointUrl: urls.get(delivery.endpointId)!,
        status: delivery.status,
        attempts: delivery.attempts,
      })),
    });
  }

  @Post(':id/replay')
  @PortalRoute('manage')
  async replay(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(ReplayEventDto, { reason: body.reason });
    await this.replays.replayEvent(id, dto, request.portalSession.actor.name);
    seeOther(response, `/portal/events/${id}`, 'Replay requested: reload in a moment to see its attempts below.');
  }
}
