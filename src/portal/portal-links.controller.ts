import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { CreatePortalLinkDto, PortalLinkView } from './dto/portal-link.dto';
import { PortalLinkService } from './portal-link.service';

/** Contract §7.2: a platform's backend makes a link for one of its customers; an application's admin key may too. */
@ApiTags('portal')
@ApiBearerAuth()
@Controller('api/v1/applications')
@RequireScope('admin')
@ApplicationScoped()
export class PortalLinksController {
  constructor(private readonly links: PortalLinkService) {}

  @Post(':id/portal-links')
  @HttpCode(201)
  create(
    @Param('id') id: string,
    @Body() dto: CreatePortalLinkDto,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
  ): Promise<PortalLinkView> {
    return this.links.create(id, dto, actor.name, `${request.protocol}://${request.get('host')}`);
  }
}
