import { Get, Query, Req } from '@nestjs/common';
import { HtmlPage } from '../console/console-page';
import { EventTypeService } from '../event-types/event-type.service';
import { PortalController, portalContext, PortalRequest } from './portal-page';
import { portalEventTypesPage } from './views/portal-event-types.view';

const PAGE_SIZE = 100;

/**
 * The event types a customer can subscribe to (contract §7.2, §7.3): the application's catalog with each type's
 * description and schema. Read-only, for `read` and `manage` sessions alike: the catalog is the platform's, declared
 * through the API or the console; what a customer edits is which types its endpoints take (the endpoint form).
 */
@PortalController('portal/event-types')
export class PortalEventTypesController {
  constructor(private readonly eventTypes: EventTypeService) {}

  @Get()
  @HtmlPage()
  async list(@Req() request: PortalRequest, @Query('cursor') cursor?: string): Promise<string> {
    const page = await this.eventTypes.list(undefined, PAGE_SIZE, cursor);
    const offered = page.data.filter((type) => !type.archived);
    return portalEventTypesPage(portalContext(request, 'event-types'), offered, page.nextCursor);
  }
}
