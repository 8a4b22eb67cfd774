import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { CreateEventTypeDto, EventTypeSettingsDto } from '../event-types/dto/event-type.dto';
import { EventTypeService } from '../event-types/event-type.service';
import { RequireScope } from '../management/require-scope.decorator';
import { formAs, seeOther } from './console-http';
import { ConsoleController, ConsoleRequest, HtmlPage, pageContext } from './console-page';
import { eventTypePage, eventTypesPage } from './views/event-types.view';

const PAGE_SIZE = 100;

/** A form's schema field: JSON text; empty means none (when declaring) or unchanged (when editing). */
function schemaOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidRequestError(`The schema is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The event-type catalog (contract §7.3) of the application the session shows: an application key's, the one a
 * global session picked, else `default`. Through EventTypeService, so schemas are checked and changes audited.
 */
@ConsoleController('console/event-types')
export class ConsoleEventTypesController {
  constructor(private readonly eventTypes: EventTypeService) {}

  @Get()
  @HtmlPage()
  async list(@Req() request: ConsoleRequest, @Query('cursor') cursor?: string): Promise<string> {
    const page = await this.eventTypes.list(undefined, PAGE_SIZE, cursor);
    return eventTypesPage(pageContext(request, 'event-types'), applicationShown(request), page.data, page.nextCursor);
  }

  @Get(':name')
  @HtmlPage()
  async get(@Param('name') name: string, @Req() request: ConsoleRequest): Promise<string> {
    return eventTypePage(pageContext(request, 'event-types'), await this.eventTypes.get(undefined, name));
  }

  @Post()
  @RequireScope('admin')
  async create(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(CreateEventTypeDto, {
      name: body.name,
      description: body.description,
      schema: schemaOf(body.schema),
    });
    const created = await this.eventTypes.create(dto, request.consoleSession.actor.name);
    seeOther(response, '/console/event-types', `Event type ${created.name} declared.`);
  }

  /** An unticked checkbox is absent from the form: the type is then not archived. */
  @Post(':name')
  @RequireScope('admin')
  async update(
    @Param('name') name: string,
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const dto = await formAs(EventTypeSettingsDto, {
      description: body.description,
      schema: schemaOf(body.schema),
      archived: body.archived === 'on',
    });
    const updated = await this.eventTypes.update(undefined, name, dto, request.consoleSession.actor.name);
    seeOther(response, `/console/event-types/${encodeURIComponent(updated.name)}`, 'Event type saved.');
  }
}

function applicationShown(request: ConsoleRequest): string {
  return request.consoleSession.application?.uid ?? 'default';
}
