import { Get, Req } from '@nestjs/common';
import { ConsoleOverviewService } from './console-overview.service';
import { ConsoleController, ConsoleRequest, HtmlPage, pageContext } from './console-page';
import { overviewPage } from './views/overview.view';

@ConsoleController('console')
export class ConsoleOverviewController {
  constructor(private readonly overview: ConsoleOverviewService) {}

  @Get()
  @HtmlPage()
  async show(@Req() request: ConsoleRequest): Promise<string> {
    return overviewPage(pageContext(request, 'overview'), await this.overview.overview());
  }
}
