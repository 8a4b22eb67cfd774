import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { BulkReplayDto, RecoverDto, RedriveDto, ReplayEventDto } from './dto/replay.dto';
import { ReplayService } from './replay.service';
import { IdParam } from '../common/http/id-param';
import { ApplicationListQueryDto } from '../common/tenancy/application-filter';

@ApiTags('replays')
@ApiBearerAuth()
@Controller('api/v1')
@RequireScope('ops')
@ApplicationScoped()
export class ReplaysController {
  constructor(private readonly replays: ReplayService) {}

  /** Replays every delivery to this endpoint since `since` that did not succeed (contract §6.6). */
  @Post('endpoints/:id/recover')
  @HttpCode(202)
  recover(@IdParam() id: string, @Body() dto: RecoverDto, @CurrentActor() actor: Actor) {
    return this.replays.recover(id, dto, actor.name);
  }

  @Post('events/:id/replay')
  @HttpCode(202)
  replayEvent(@IdParam() id: string, @Body() dto: ReplayEventDto, @CurrentActor() actor: Actor) {
    return this.replays.replayEvent(id, dto, actor.name);
  }

  /** 202 with the request id; a dry run answers 200 with the count and records nothing. */
  @Post('replays')
  async replayBulk(
    @Body() dto: BulkReplayDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.replays.replayBulk(dto, actor.name);
    response.status(result.dryRun ? 200 : 202);
    return result;
  }

  @Get('replays')
  @RequireScope('read')
  list(@Query() query: ApplicationListQueryDto) {
    return this.replays.list(query.limit, query.cursor, query.application);
  }

  @Get('replays/:id')
  @RequireScope('read')
  get(@IdParam() id: string) {
    return this.replays.get(id);
  }

  @Post('replays/:id/cancel')
  @HttpCode(200)
  cancel(@IdParam() id: string, @CurrentActor() actor: Actor) {
    return this.replays.cancel(id, actor.name);
  }

  @Post('dead-letters/redrive')
  @HttpCode(202)
  redrive(@Body() dto: RedriveDto, @CurrentActor() actor: Actor) {
    return this.replays.redrive(dto, actor.name);
  }
}
