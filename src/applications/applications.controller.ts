import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page, PageQueryDto } from '../common/pagination/page';
import { Actor } from '../management/api-key.types';
import { CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { ApplicationService } from './application.service';
import { ApplicationView } from './application.view';
import { CreateApplicationDto, UpdateApplicationDto } from './dto/application.dto';

/** Contract §7.1: global admin keys only; `:id` is the id or the uid. */
@ApiTags('applications')
@ApiBearerAuth()
@Controller('api/v1/applications')
@RequireScope('admin')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationService) {}

  @Get()
  list(@Query() query: PageQueryDto): Promise<Page<ApplicationView>> {
    return this.applications.list(query.limit, query.cursor);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<ApplicationView> {
    return this.applications.get(id);
  }

  @Post()
  @HttpCode(201)
  create(@Body() dto: CreateApplicationDto, @CurrentActor() actor: Actor): Promise<ApplicationView> {
    return this.applications.create(dto, actor.name);
  }

  @Patch(':id')
  update(
    @Param('id') id: string,
    @Body() dto: UpdateApplicationDto,
    @CurrentActor() actor: Actor,
  ): Promise<ApplicationView> {
    return this.applications.update(id, dto, actor.name);
  }

  @Delete(':id')
  @HttpCode(204)
  disable(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.applications.disable(id, actor.name);
  }
}
