import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import type { Response } from 'express';
import { ApplicationService } from '../applications/application.service';
import { CONSOLE_SESSION_COOKIE, ConsoleSessionService } from '../management/console-session.service';
import { GlobalKeysOnly } from '../management/require-scope.decorator';
import { seeOther } from './console-http';
import { ConsoleController, ConsoleRequest, HtmlPage, pageContext } from './console-page';
import { applicationsPage } from './views/applications.view';

const PAGE_SIZE = 100;

/**
 * The application picker (contract §7.1): a global key's session shows every application, or the one picked here.
 * An application key's session always shows its own, so both routes are for global keys only.
 */
@ConsoleController('console')
export class ConsoleApplicationsController {
  constructor(
    private readonly applications: ApplicationService,
    private readonly sessions: ConsoleSessionService,
  ) {}

  @Get('applications')
  @GlobalKeysOnly()
  @HtmlPage()
  async list(@Req() request: ConsoleRequest, @Query('cursor') cursor?: string): Promise<string> {
    const page = await this.applications.list(PAGE_SIZE, cursor);
    return applicationsPage(pageContext(request, 'applications'), page.data, page.nextCursor);
  }

  /** `application` is a uid, or empty for every application; an unknown uid is 404. */
  @Post('application')
  @GlobalKeysOnly()
  async pick(
    @Body() body: Record<string, unknown>,
    @Req() request: ConsoleRequest,
    @Res() response: Response,
  ): Promise<void> {
    const uid = typeof body.application === 'string' ? body.application.trim() : '';
    const application = uid ? await this.applications.require(uid) : null;
    await this.sessions.pick(
      parseCookies(request.headers.cookie ?? '')[CONSOLE_SESSION_COOKIE],
      application?.id ?? null,
    );
    seeOther(
      response,
      '/console',
      application ? `Showing application ${application.uid} only.` : 'Showing every application.',
    );
  }
}
