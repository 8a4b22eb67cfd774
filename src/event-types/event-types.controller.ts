import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/pagination/page';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { ApplicationScopeDto, CreateEventTypeDto, EventTypeQueryDto, EventTypeSettingsDto } from './dto/event-type.dto';
import { EventTypeService } from './event-type.service';
import { EventTypeView } from './event-type.view';

/** Contract §7.3: the event-type catalog of an application (`?application=<uid>`, default `default`). */
@ApiTags('event-types')
@ApiBearerAuth()
@Controller('api/v1/event-types')
@RequireScope('read')
@ApplicationScoped()
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypeService) {}

  @Get()
  list(@Query() query: EventTypeQueryDto): Promise<Page<EventTypeView>> {
    return this.eventTypes.list(query.application, query.limit, query.cursor);
  }

  @Get(':name')
  get(@Param('name') name: string, @Query() query: ApplicationScopeDto): Promise<EventTypeView> {
    return this.eventTypes.get(query.application, name);
  }

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  create(@Body() dto: CreateEventTypeDto, @CurrentActor() actor: Actor): Promise<EventTypeView> {
    return this.eventTypes.create(dto, actor.name);
  }

  @Patch(':name')
  @RequireScope('admin')
  update(
    @Param('name') name: string,
    @Query() query: ApplicationScopeDto,
    @Body() dto: EventTypeSettingsDto,
    @CurrentActor() actor: Actor,
  ): Promise<EventTypeView> {
    return this.eventTypes.update(query.application, name, dto, actor.name);
  }
}
