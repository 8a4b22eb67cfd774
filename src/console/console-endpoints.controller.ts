import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IdParam } from '../common/http/id-param';
import { PageQueryDto } from '../common/pagination/page';
import { DeliveryQueryService } from '../delivery/delivery-query.service';
import { CreateEndpointDto, RotateEndpointSecretDto, UpdateEndpointDto } from '../endpoints/dto/endpoint.dto';
import { EndpointService } from '../endpoints/endpoint.service';
import { RequireScope } from '../management/require-scope.decorator';
import { CreateIntegrationDto, UpdateIntegrationDto } from '../providers/integrations/dto/integration.dto';
import { IntegrationService } from '../providers/integrations/integration.service';
import { ProviderRegistry } from '../providers/provider.registry';
import { formAs, transformationFields, listField, seeOther } from './console-http';
import { ConsoleController, ConsoleRequest, filtersOf, HtmlPage, pageContext } from './console-page';
import { endpointPage, endpointsPage, integrationsPage } from './views/endpoints.view';

const RECENT_ATTEMPTS = 25;

function filterOf(body: Record<string, unknown>) {
  const integrations = listField(body.integrations);
  const eventTypes = listField(body.eventTypes);
  return { ...(integrations ? { integrations } : {}), ...(eventTypes ? { eventTypes } : {}) };
}

/** Endpoints (create with the secret shown once, edit the filter, disable, rotate the secret) and integrations. */
@ConsoleController('console')
export class ConsoleEndpointsController {
  constructor(
    private readonly endpoints: EndpointService,
    private readonly deliveries: DeliveryQueryService,
    private readonly integrations: IntegrationService,
    private readonly providers: ProviderRegistry,
  ) {}

  @Get('endpoints')
  @HtmlPage()
  async list(@Req() request: ConsoleRequest): Promise<string> {
    return endpointsPage(
      pageContext(request, 'endpoints'),
      ...(await this.listWithHealth(await formAs(PageQueryDto, filtersOf(request)))),
    );
  }

  /** Answers with the list and the new secret on this one page: it is never stored where it could be read again. */
  @Post('endpoints')
  @RequireScope('admin')
  async create(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(CreateEndpointDto, {
      url: body.url,
      description: body.description,
      filter: filterOf(body),
    });
    const created = await this.endpoints.create(dto, request.consoleSession.actor.name);
    const [rows, nextCursor] = await this.listWithHealth({ limit: 50 });
    response
      .status(201)
      .type('html')
      .send(
        endpointsPage(pageContext(request, 'endpoints'), rows, nextCursor, {
          url: created.url,
          secret: created.secret,
        }),
      );
  }

  @Get('endpoints/:id')
  @HtmlPage()
  async get(@Param('id') id: string, @Req() request: ConsoleRequest): Promise<string> {
    const [endpoint, attempts, deadLetters] = await Promise.all([
      this.endpoints.get(id),
      this.deliveries.recentAttempts(id, RECENT_ATTEMPTS),
      this.deliveries.countDeadLetters(id),
    ]);
    return endpointPage(pageContext(request, 'endpoints'), endpoint, attempts, deadLetters);
  }

  @Post('endpoints/:id')
  @RequireScope('admin')
  async update(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(UpdateEndpointDto, {
      description: body.description,
      filter: filterOf(body),
      ordering: body.ordering,
    });
    await this.endpoints.update(id, dto, request.consoleSession.actor.name);
    seeOther(response, `/console/endpoints/${id}`, 'Endpoint saved.');
  }

  /** Contract §7.4: the code is checked in the sandbox as through the API; empty code removes the transformation. */
  @Post('endpoints/:id/transformation')
  @RequireScope('admin')
  async saveTransformation(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(UpdateEndpointDto, transformationFields(body));
    await this.endpoints.update(id, dto, request.consoleSession.actor.name);
    const removed = !dto.transformation?.code;
    seeOther(response, `/console/endpoints/${id}`, removed ? 'Transformation removed.' : 'Transformation saved.');
  }

  @Post('endpoints/:id/disable')
  @RequireScope('admin')
  async disable(@Param('id') id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.update(id, { enabled: false }, request.consoleSession.actor.name);
    seeOther(response, `/console/endpoints/${id}`, 'Endpoint disabled: nothing more is delivered to it.');
  }

  @Post('endpoints/:id/enable')
  @RequireScope('admin')
  async enable(@Param('id') id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.update(id, { enabled: true }, request.consoleSession.actor.name);
    seeOther(response, `/console/endpoints/${id}`, 'Endpoint enabled.');
  }

  @Post('endpoints/:id/pause')
  @RequireScope('ops')
  async pause(@IdParam() id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.pause(id, request.consoleSession.actor.name);
    seeOther(response, `/console/endpoints/${id}`, 'Deliveries paused: they wait, without using attempts.');
  }

  @Post('endpoints/:id/resume')
  @RequireScope('ops')
  async resume(@IdParam() id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    await this.endpoints.resume(id, request.consoleSession.actor.name);
    seeOther(response, `/console/endpoints/${id}`, 'Deliveries resumed.');
  }

  @Post('endpoints/:id/rotate-secret')
  @RequireScope('admin')
  async rotate(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const grace = body.gracePeriodSeconds;
    const dto = await formAs(RotateEndpointSecretDto, {
      gracePeriodSeconds: typeof grace === 'string' && /^\d+$/.test(grace) ? Number(grace) : grace,
    });
    const rotated = await this.endpoints.rotateSecret(id, dto, request.consoleSession.actor.name);
    const [endpoint, attempts, deadLetters] = await Promise.all([
      this.endpoints.get(id),
      this.deliveries.recentAttempts(id, RECENT_ATTEMPTS),
      this.deliveries.countDeadLetters(id),
    ]);
    response
      .type('html')
      .send(endpointPage(pageContext(request, 'endpoints'), endpoint, attempts, deadLetters, rotated.secret));
  }

  @Get('integrations')
  @HtmlPage()
  async integrationList(@Req() request: ConsoleRequest): Promise<string> {
    const query = await formAs(PageQueryDto, filtersOf(request));
    const page = await this.integrations.list(query.limit, query.cursor);
    return integrationsPage(pageContext(request, 'integrations'), page.data, this.providers.names(), page.nextCursor);
  }

  @Post('integrations')
  @RequireScope('admin')
  async createIntegration(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(CreateIntegrationDto, { slug: body.slug, provider: body.provider, secret: body.secret });
    const created = await this.integrations.create(dto, request.consoleSession.actor.name);
    seeOther(
      response,
      '/console/integrations',
      `Integration ${created.slug} created: webhooks go to /webhooks/${created.slug}.`,
    );
  }

  @Post('integrations/:id/rotate-secret')
  @RequireScope('admin')
  async rotateIntegrationSecret(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(UpdateIntegrationDto, { rotateSecret: body.secret });
    const updated = await this.integrations.update(id, dto, request.consoleSession.actor.name);
    seeOther(
      response,
      '/console/integrations',
      `Secret of ${updated.slug} rotated: the previous one keeps verifying for a day.`,
    );
  }

  private async listWithHealth(query: { limit: number; cursor?: string }) {
    const page = await this.endpoints.listWithHealth(query.limit, query.cursor);
    return [page.data, page.nextCursor] as const;
  }
}
