import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/pagination/page';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import {
  CreateEndpointDto,
  RotateEndpointSecretDto,
  TestTransformationDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { TransformationTestView } from '../transformations/transformation-test.view';
import { EndpointHealth } from './endpoint-gate';
import { EndpointService } from './endpoint.service';
import { EndpointView, EndpointWithSecretView } from './endpoint.view';
import { ApplicationListQueryDto } from '../common/tenancy/application-filter';

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('api/v1/endpoints')
@RequireScope('read')
@ApplicationScoped()
export class EndpointsController {
  constructor(private readonly endpoints: EndpointService) {}

  @Get()
  list(@Query() query: ApplicationListQueryDto): Promise<Page<EndpointView>> {
    return this.endpoints.list(query.limit, query.cursor, query.application);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<EndpointView & { health: EndpointHealth }> {
    return this.endpoints.get(id);
  }

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  create(@Body() dto: CreateEndpointDto, @CurrentActor() actor: Actor): Promise<EndpointWithSecretView> {
    return this.endpoints.create(dto, actor.name);
  }

  @Patch(':id')
  @RequireScope('admin')
  update(@Param('id') id: string, @Body() dto: UpdateEndpointDto, @CurrentActor() actor: Actor): Promise<EndpointView> {
    return this.endpoints.update(id, dto, actor.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.endpoints.remove(id, actor.name);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireScope('ops')
  pause(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<EndpointView & { health: EndpointHealth }> {
    return this.endpoints.pause(id, actor.name);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireScope('ops')
  resume(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<EndpointView & { health: EndpointHealth }> {
    return this.endpoints.resume(id, actor.name);
  }

  /** Contract §7.4: runs `code` (or the endpoint's transformation) on a payload; nothing is sent or stored. */
  @Post(':id/transformation/test')
  @HttpCode(200)
  @RequireScope('admin')
  testTransformation(@Param('id') id: string, @Body() dto: TestTransformationDto): Promise<TransformationTestView> {
    return this.endpoints.testTransformation(id, dto);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScope('admin')
  rotateSecret(
    @Param('id') id: string,
    @Body() dto: RotateEndpointSecretDto,
    @CurrentActor() actor: Actor,
  ): Promise<EndpointWithSecretView> {
    return this.endpoints.rotateSecret(id, dto, actor.name);
  }
}
