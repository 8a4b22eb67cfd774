import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics/metrics.service';
import { RetentionRepository } from './retention.repository';
import { noneDeleted, PurgedCounts, PurgedKind, RetentionRun } from './retention.types';

/** Rows per statement: each batch is a short transaction through an index, so ingest never waits long on it. */
const RAW_BATCH = 5_000;
const AUDIT_BATCH = 5_000;
/** Events per transaction; their deliveries and attempts go with them (a few rows each). */
const EVENTS_BATCH = 1_000;

/**
 * One retention run: raw requests older than RETENTION_RAW_AFTER, finished events older than
 * RETENTION_EVENTS_AFTER (with their deliveries, attempts and raw requests), audit entries older than
 * RETENTION_AUDIT_AFTER. Each kind is purged in batches until a batch comes back short, or the worker is closing.
 * Every application's rows go by the same ages, oldest first, so no application's expired rows wait behind a younger
 * one of another's.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: RetentionRepository,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /** `keepGoing` is asked between batches: a worker shutting down stops after the batch in hand. */
  async run(keepGoing: () => boolean): Promise<RetentionRun> {
    const started = new Date();
    const { rawAfterMs, eventsAfterMs, auditAfterMs } = this.config.retention;
    const cutoff = (ageMs: number) => new Date(started.getTime() - ageMs);
    const deleted = noneDeleted();
    const count = (counts: Partial<PurgedCounts>) => {
      for (const [kind, value] of Object.entries(counts) as [PurgedKind, number][]) {
        deleted[kind] += value;
        if (value) this.metrics.retentionDeleted.inc({ kind }, value);
      }
    };

    // A walk in one application holds back that application's events only, so one tenant's long replay never
    // stops the others' retention; a walk across every application holds back all of them.
    const walked = await this.repository.applicationsBeingWalked();
    const everyApplicationWalked = walked.includes(null);
    const sparing = walked.filter((id): id is string => id !== null);
    if (!everyApplicationWalked) {
      await inBatches(EVENTS_BATCH, keepGoing, async () => {
        const purged = await this.repository.purgeEventsBatch(cutoff(eventsAfterMs), EVENTS_BATCH, sparing);
        count(purged);
        return purged.events;
      });
    }
    await inBatches(RAW_BATCH, keepGoing, async () => {
      const raw = await this.repository.purgeRawBatch(cutoff(rawAfterMs), RAW_BATCH);
      count({ raw });
      return raw;
    });
    await inBatches(AUDIT_BATCH, keepGoing, async () => {
      const audit = await this.audit.purgeBatch(cutoff(auditAfterMs), AUDIT_BATCH);
      count({ audit });
      return audit;
    });

    const finished = new Date();
    const run: RetentionRun = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      deleted,
      eventsDeferred: walked.length > 0,
      eventsDeferredApplications: everyApplicationWalked ? null : sparing,
    };
    if (Object.values(deleted).some(Boolean) || run.eventsDeferred)
      this.logger.log({ message: 'retention run', ...run });
    return run;
  }
}

/** Runs `batch` until it deletes fewer than `size` rows (nothing more is due) or `keepGoing` says stop. */
async function inBatches(size: number, keepGoing: () => boolean, batch: () => Promise<number>): Promise<void> {
  while (keepGoing() && (await batch()) >= size);
}
