import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AuditTrailService } from '../audit/audit-trail.service';
import { AuditQueryDto } from '../audit/dto/audit-query.dto';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { PageQueryDto } from '../common/pagination/page';
import { DeadLetterQueryDto } from '../delivery/dto/delivery-query.dto';
import { DeliveryQueryService } from '../delivery/delivery-query.service';
import { EndpointService } from '../endpoints/endpoint.service';
import { RequireScope } from '../management/require-scope.decorator';
import { BulkReplayDto, RedriveDto } from '../replay/dto/replay.dto';
import { ReplayService } from '../replay/replay.service';
import { formAs, seeOther } from './console-http';
import { ConsoleController, ConsoleRequest, filtersOf, HtmlPage, pageContext } from './console-page';
import { auditPage, deadLettersPage, replayPage, replaysPage } from './views/operations.view';
import { IdParam } from '../common/http/id-param';

const MAX_ENDPOINT_CHOICES = 500;
const EVENT_FILTER_FIELDS = [
  'status',
  'integration',
  'provider',
  'type',
  'externalId',
  'from',
  'to',
  'deliveryStatus',
] as const;

/** Dead letters (select and redrive), replays (bulk with a dry run first, live progress, cancel), the audit trail. */
@ConsoleController('console')
export class ConsoleOperationsController {
  constructor(
    private readonly deliveries: DeliveryQueryService,
    private readonly replays: ReplayService,
    private readonly endpoints: EndpointService,
    private readonly audit: AuditTrailService,
  ) {}

  @Get('dead-letters')
  @HtmlPage()
  async deadLetters(@Req() request: ConsoleRequest): Promise<string> {
    const query = await formAs(DeadLetterQueryDto, filtersOf(request));
    const [page, matching, endpoints] = await Promise.all([
      this.deliveries.deadLetters(query),
      this.deliveries.countDeadLetters(query.endpointId),
      this.endpoints.list(MAX_ENDPOINT_CHOICES),
    ]);
    return deadLettersPage(
      pageContext(request, 'dead-letters'),
      query.endpointId,
      page.data,
      matching,
      page.nextCursor,
      endpoints.data,
    );
  }

  /** `scope=selected` redrives the ticked deliveries; `scope=matching` every dead letter the filter matches. */
  @Post('dead-letters/redrive')
  @RequireScope('ops')
  async redrive(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const selected = [body.deliveryIds ?? []].flat();
    if (body.scope !== 'matching' && !selected.length)
      throw new InvalidRequestError('Select at least one dead letter, or redrive all matching');
    const selection =
      body.scope === 'matching'
        ? { filter: body.endpointId ? { endpointId: body.endpointId } : {} }
        : { deliveryIds: selected };
    const dto = await formAs(RedriveDto, { reason: body.reason, ...selection });
    const { replayRequestId, matched } = await this.replays.redrive(dto, request.consoleSession.actor.name);
    seeOther(
      response,
      `/console/replays/${replayRequestId}`,
      `Redrive of ${matched} dead letter${matched === 1 ? '' : 's'} requested.`,
    );
  }

  @Get('replays')
  @HtmlPage()
  async replayList(@Req() request: ConsoleRequest): Promise<string> {
    const query = await formAs(PageQueryDto, filtersOf(request));
    const [page, endpoints] = await Promise.all([
      this.replays.list(query.limit, query.cursor),
      this.endpoints.list(MAX_ENDPOINT_CHOICES),
    ]);
    return replaysPage(pageContext(request, 'replays'), page.data, page.nextCursor, endpoints.data, { filter: {} });
  }

  /** `mode=count` answers the dry run's count on the same form; `mode=replay` starts it and shows its progress. */
  @Post('replays')
  @RequireScope('ops')
  async bulkReplay(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const filter: Record<string, unknown> = Object.fromEntries(
      EVENT_FILTER_FIELDS.map((name): [string, unknown] => [name, body[name]]).filter(
        ([, value]) => value !== undefined && value !== '',
      ),
    );
    const dryRun = body.mode !== 'replay';
    const dto = await formAs(BulkReplayDto, {
      reason: typeof body.reason === 'string' && body.reason ? body.reason : dryRun ? 'dry run' : '',
      endpointId: body.endpointId,
      filter,
      dryRun: dryRun || undefined,
    });
    const result = await this.replays.replayBulk(dto, request.consoleSession.actor.name);
    if (!result.replayRequestId) {
      const [page, endpoints] = await Promise.all([this.replays.list(20), this.endpoints.list(MAX_ENDPOINT_CHOICES)]);
      const draft = {
        filter,
        reason: typeof body.reason === 'string' ? body.reason : undefined,
        endpointId: dto.endpointId,
        matched: result.matched,
      };
      response
        .type('html')
        .send(replaysPage(pageContext(request, 'replays'), page.data, page.nextCursor, endpoints.data, draft));
      return;
    }
    seeOther(response, `/console/replays/${result.replayRequestId}`, `Replay of ${result.matched} events requested.`);
  }

  @Get('replays/:id')
  @HtmlPage()
  async replay(@IdParam() id: string, @Req() request: ConsoleRequest): Promise<string> {
    return replayPage(pageContext(request, 'replays'), await this.replays.get(id));
  }

  /** What the page polls for live progress (JSON, same fields as GET /replays/:id). */
  @Get('replays/:id/progress')
  progress(@IdParam() id: string) {
    return this.replays.get(id);
  }

  @Post('replays/:id/cancel')
  @RequireScope('ops')
  async cancel(@IdParam() id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.replays.cancel(id, request.consoleSession.actor.name);
    seeOther(
      response,
      `/console/replays/${id}`,
      'Replay cancelled: the batch in hand finishes, nothing more is enqueued.',
    );
  }

  @Get('audit')
  @HtmlPage()
  async auditTrail(@Req() request: ConsoleRequest): Promise<string> {
    const query = await formAs(AuditQueryDto, filtersOf(request));
    const page = await this.audit.list(query);
    const { limit: _limit, cursor: _cursor, ...filter } = query;
    return auditPage(pageContext(request, 'audit'), filter, page.data, page.nextCursor);
  }
}
