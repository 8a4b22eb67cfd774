import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, encodeCursor } from '../common/pagination/page';
import { EndpointService } from '../endpoints/endpoint.service';
import { EndpointView } from '../endpoints/endpoint.view';
import { EventQueryDto } from '../events/dto/event-query.dto';
import { EventQueryRepository } from '../events/event-query.repository';
import { detailView, listItem } from '../events/event-views';
import { RequireScope } from '../management/require-scope.decorator';
import { ReplayEventDto } from '../replay/dto/replay.dto';
import { ReplayService } from '../replay/replay.service';
import { formAs, seeOther, traceLink } from './console-http';
import { ConsoleController, ConsoleRequest, filtersOf, HtmlPage, pageContext } from './console-page';
import { AttemptResponse, eventPage, eventsPage } from './views/events.view';
import { IdParam } from '../common/http/id-param';
import { TenantContext } from '../common/tenancy/tenant-context';

/** Events: the GET /events filters with keyset paging, one event in full, and replaying it. */
@ConsoleController('console/events')
export class ConsoleEventsController {
  constructor(
    private readonly events: EventQueryRepository,
    private readonly endpoints: EndpointService,
    private readonly replays: ReplayService,
    private readonly config: AppConfig,
    private readonly tenant: TenantContext,
  ) {}

  @Get()
  @HtmlPage()
  async list(@Req() request: ConsoleRequest): Promise<string> {
    const query = await formAs(EventQueryDto, filtersOf(request));
    const { limit, cursor, ...filter } = query;
    const rows = await this.events.search(filter, limit + 1, decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor({ at: last.receivedAt, id: last.id }) : null;
    return eventsPage(pageContext(request, 'events'), query, page.map(listItem), nextCursor);
  }

  @Get(':id')
  @HtmlPage()
  async get(@IdParam() id: string, @Req() request: ConsoleRequest): Promise<string> {
    const event = await this.events.findDetail(id);
    if (!event) throw new NotFoundError(`No event ${id}`);
    this.tenant.assertVisible(event.integration.applicationId, `event ${id}`);
    const [replays, audit] = await Promise.all([this.events.replaysOf(id), this.events.auditOf(id)]);
    const view = detailView(event, replays, audit, {
      revealSensitiveHeaders: request.consoleSession.actor.scope === 'admin',
    });
    const responses = new Map<string, AttemptResponse[]>(
      event.deliveries.map((delivery) => [delivery.id, delivery.attempts]),
    );
    const endpointIds = [...new Set(event.deliveries.map((delivery) => delivery.endpointId))];
    const endpoints = new Map<string, EndpointView>();
    for (const endpoint of await Promise.all(
      endpointIds.map((endpointId) => this.endpoints.get(endpointId).catch(() => null)),
    ))
      if (endpoint) endpoints.set(endpoint.id, endpoint);
    const traceUrl = traceLink(this.config.console.jaegerUiUrl, event.traceparent);
    return eventPage(pageContext(request, 'events'), view, responses, endpoints, traceUrl);
  }

  @Post(':id/replay')
  @RequireScope('ops')
  async replay(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(ReplayEventDto, { reason: body.reason, endpointId: body.endpointId });
    const { replayRequestId } = await this.replays.replayEvent(id, dto, request.consoleSession.actor.name);
    seeOther(
      response,
      `/console/events/${id}`,
      `Replay requested (${replayRequestId.slice(0, 8)}): reload in a moment to see its attempts below.`,
    );
  }
}
