import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/pagination/page';
import { RequireScope } from '../management/require-scope.decorator';
import { AuditEntryView, AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';

/** The append-only trail, newest first. There is no route (and no code) that changes or removes an entry. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-entries')
@RequireScope('read')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEntryView>> {
    const { limit, cursor, ...filter } = query;
    return this.audit.search(filter, limit, cursor);
  }
}
