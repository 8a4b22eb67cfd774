import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/pagination/page';
import { ApplicationScoped, RequireScope } from '../management/require-scope.decorator';
import { AuditTrailEntry, AuditTrailService } from './audit-trail.service';
import { AuditQueryDto } from './dto/audit-query.dto';

/** The append-only trail, newest first. There is no route (and no code) that changes or removes an entry. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-entries')
@RequireScope('read')
@ApplicationScoped()
export class AuditController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get()
  list(@Query() query: AuditQueryDto): Promise<Page<AuditTrailEntry>> {
    return this.trail.list(query);
  }
}
