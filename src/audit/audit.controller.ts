import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../management/require-scope.decorator';
import { AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';

/** The append-only trail, newest first. There is no route (and no code) that changes or removes an entry. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-entries')
@RequireScope('read')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: AuditQueryDto) {
    return this.audit.search(query);
  }
}
