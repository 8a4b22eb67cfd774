import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../../common/pagination/page';
import { ApplicationScoped, RequireScope, CurrentActor } from '../../management/require-scope.decorator';
import { Actor } from '../../management/api-key.types';
import { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import { IntegrationService } from './integration.service';
import { IntegrationView } from './integration.view';
import { ApplicationListQueryDto } from '../../common/tenancy/application-filter';

@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/v1/integrations')
@RequireScope('read')
@ApplicationScoped()
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationService) {}

  @Get()
  list(@Query() query: ApplicationListQueryDto): Promise<Page<IntegrationView>> {
    return this.integrations.list(query.limit, query.cursor, query.application);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<IntegrationView> {
    return this.integrations.get(id);
  }

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  create(@Body() dto: CreateIntegrationDto, @CurrentActor() actor: Actor): Promise<IntegrationView> {
    return this.integrations.create(dto, actor.name);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(
    @Param('id') id: string,
    @Body() dto: UpdateIntegrationDto,
    @CurrentActor() actor: Actor,
  ): Promise<IntegrationView> {
    return this.integrations.update(id, dto, actor.name);
  }
}
