import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RetentionProcessor } from './retention.processor';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** The worker's retention job (RETENTION_* settings); its last run is shown by readiness (src/health). */
@Module({ imports: [AuditModule], providers: [RetentionProcessor, RetentionService, RetentionRepository] })
export class RetentionModule {}
