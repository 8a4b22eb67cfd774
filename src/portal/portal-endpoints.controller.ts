import { Body, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { IdParam } from '../common/http/id-param';
import { PageQueryDto } from '../common/pagination/page';
import { formAs, seeOther, transformationFields } from '../console/console-http';
import { filtersOf, HtmlPage } from '../console/console-page';
import { DeliveryQueryService } from '../delivery/delivery-query.service';
import { EndpointTestResult, EndpointTestService } from '../delivery/endpoint-test.service';
import { CreateEndpointDto, RotateEndpointSecretDto, UpdateEndpointDto } from '../endpoints/dto/endpoint.dto';
import { EndpointService } from '../endpoints/endpoint.service';
import { EventTypeService } from '../event-types/event-type.service';
import { PortalRoute } from '../management/require-scope.decorator';
import { RecoverDto } from '../replay/dto/replay.dto';
import { ReplayService } from '../replay/replay.service';
import { PortalController, portalContext, PortalRequest } from './portal-page';
import { portalEndpointPage, portalEndpointsPage } from './views/portal-endpoints.view';

const RECENT_DELIVERIES = 25;
const CATALOG_SIZE = 200;
const DAY_MS = 86_400_000;

/** `name: value` lines as a headers object. */
function headersField(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of typeof value === 'string' ? value.split('\n') : []) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw new InvalidRequestError(`Headers: "${line.trim().slice(0, 100)}" is not "name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function jsonField(value: unknown, label: string): unknown {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new InvalidRequestError(`${label} is not JSON`);
  }
}

function numberField(value: unknown): unknown {
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/**
 * An endpoint form as the API's own fields. Event types and headers are cleared when left empty (none ticked is every
 * type), so the form shows what is stored; an empty rate limit leaves it as it is, as the API has no way to remove one.
 */
function endpointFields(body: Record<string, unknown>) {
  const eventTypes = ([] as unknown[]).concat(body.eventTypes ?? []).filter((name) => typeof name === 'string');
  const payload = jsonField(body.payloadFilter, 'The payload filter');
  return {
    url: body.url,
    description: body.description,
    filter: { ...(eventTypes.length ? { eventTypes } : {}), ...(payload !== undefined ? { payload } : {}) },
    headers: headersField(body.headers),
    rateLimitPerSecond: numberField(body.rateLimitPerSecond),
    ordering: body.ordering,
  };
}

/**
 * The portal's endpoints (contract §7.2): a customer lists, creates, edits, disables, deletes and tests their own,
 * rotates a secret (shown once), recovers failed deliveries, and sees the deliveries and the success rate. Every
 * service here is confined to the session's application, and every change is audited as `portal:<uid>`.
 */
@PortalController('portal')
export class PortalEndpointsController {
  constructor(
    private readonly endpoints: EndpointService,
    private readonly deliveries: DeliveryQueryService,
    private readonly eventTypes: EventTypeService,
    private readonly tests: EndpointTestService,
    private readonly replays: ReplayService,
  ) {}

  @Get()
  @HtmlPage()
  async list(@Req() request: PortalRequest): Promise<string> {
    const query = await formAs(PageQueryDto, filtersOf(request));
    const page = await this.endpoints.listWithHealth(query.limit, query.cursor);
    return portalEndpointsPage(portalContext(request, 'endpoints'), page.data, page.nextCursor, await this.catalog());
  }

  /** Answers with the list and the new secret on this one page: it is never stored where it could be read again. */
  @Post('endpoints')
  @PortalRoute('manage')
  async create(
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(CreateEndpointDto, endpointFields(body));
    const created = await this.endpoints.create(dto, request.portalSession.actor.name);
    const { data: endpoints, nextCursor } = await this.endpoints.listWithHealth(50);
    response
      .status(201)
      .type('html')
      .send(
        portalEndpointsPage(portalContext(request, 'endpoints'), endpoints, nextCursor, await this.catalog(), {
          url: created.url,
          secret: created.secret,
        }),
      );
  }

  @Get('endpoints/:id')
  @HtmlPage()
  async get(@IdParam() id: string, @Req() request: PortalRequest): Promise<string> {
    return this.endpointPage(request, id);
  }

  @Post('endpoints/:id')
  @PortalRoute('manage')
  async update(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(UpdateEndpointDto, endpointFields(body));
    await this.endpoints.update(id, dto, request.portalSession.actor.name);
    seeOther(response, `/portal/endpoints/${id}`, 'Endpoint saved.');
  }

  /** Contract §7.4, as in the console: checked in the sandbox when saved; empty code removes it. */
  @Post('endpoints/:id/transformation')
  @PortalRoute('manage')
  async saveTransformation(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(UpdateEndpointDto, transformationFields(body));
    await this.endpoints.update(id, dto, request.portalSession.actor.name);
    const removed = !dto.transformation?.code;
    seeOther(response, `/portal/endpoints/${id}`, removed ? 'Transformation removed.' : 'Transformation saved.');
  }

  @Post('endpoints/:id/disable')
  @PortalRoute('manage')
  async disable(@IdParam() id: string, @Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.update(id, { enabled: false }, request.portalSession.actor.name);
    seeOther(response, `/portal/endpoints/${id}`, 'Endpoint disabled: nothing more is delivered to it.');
  }

  @Post('endpoints/:id/enable')
  @PortalRoute('manage')
  async enable(@IdParam() id: string, @Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.update(id, { enabled: true }, request.portalSession.actor.name);
    seeOther(response, `/portal/endpoints/${id}`, 'Endpoint enabled.');
  }

  @Post('endpoints/:id/delete')
  @PortalRoute('manage')
  async remove(@IdParam() id: string, @Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.remove(id, request.portalSession.actor.name);
    seeOther(response, '/portal', 'Endpoint deleted.');
  }

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  @PortalRoute('manage')
  async rotate(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(RotateEndpointSecretDto, { gracePeriodSeconds: numberField(body.gracePeriodSeconds) });
    const rotated = await this.endpoints.rotateSecret(id, dto, request.portalSession.actor.name);
    response.type('html').send(await this.endpointPage(request, id, { secret: rotated.secret }));
  }

  /** Sends one signed test event while the customer waits, and shows what the endpoint answered. */
  @Post('endpoints/:id/test')
  @HttpCode(200)
  @PortalRoute('manage')
  async test(@IdParam() id: string, @Req() request: PortalRequest, @Res() response: Response): Promise<void> {
    const testResult = await this.tests.test(id, 'hookgate.ping', request.portalSession.actor.name);
    response.type('html').send(await this.endpointPage(request, id, { testResult }));
  }

  /** `since` comes from a datetime-local field, which has no zone: the form says it is UTC. */
  @Post('endpoints/:id/recover')
  @PortalRoute('manage')
  async recover(
    @IdParam() id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: PortalRequest,
    @Res() response: Response,
  ): Promise<void> {
    const since = typeof body.since === 'string' && /^[\d-]+T[\d:]+$/.test(body.since) ? `${body.since}Z` : body.since;
    const dto = await formAs(RecoverDto, { since, reason: 'recovered from the portal' });
    const { matched } = await this.replays.recover(id, dto, request.portalSession.actor.name);
    seeOther(response, `/portal/endpoints/${id}`, `Resending ${matched} failed deliveries.`);
  }

  private async endpointPage(
    request: PortalRequest,
    id: string,
    shown: { secret?: string; testResult?: EndpointTestResult } = {},
  ): Promise<string> {
    const since = new Date(Math.floor((Date.now() - DAY_MS) / 3_600_000 + 1) * 3_600_000);
    const [endpoint, hours, deliveries, catalog] = await Promise.all([
      this.endpoints.get(id),
      this.deliveries.attemptsPerHour(id, since),
      this.deliveries.list({ endpointId: id, limit: RECENT_DELIVERIES }),
      this.catalog(),
    ]);
    return portalEndpointPage(
      portalContext(request, 'endpoints'),
      endpoint,
      catalog,
      hours,
      since,
      deliveries.data,
      shown,
    );
  }

  /** The names of the application's event types (declared, and seen in events), for the endpoint form. */
  private async catalog(): Promise<string[]> {
    const page = await this.eventTypes.list(undefined, CATALOG_SIZE);
    return page.data.filter((type) => !type.archived).map((type) => type.name);
  }
}
