import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  MemoryHealthIndicator,
} from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { DatabaseHealthIndicator, RedisHealthIndicator } from './dependency.indicators';

/** Readiness and liveness as terminus results, shared by the API's controller and the worker's health port. */
@Injectable()
export class ReadinessService {
  private readonly extraChecks: HealthIndicatorFunction[] = [];

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  /** Lets other modules (queue round trip, outbox age) add readiness checks. */
  addCheck(check: HealthIndicatorFunction): void {
    this.extraChecks.push(check);
  }

  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.check(),
      () => this.redis.check(),
      () => this.memory.checkHeap('memory_heap', this.config.health.heapLimitBytes),
      ...this.extraChecks,
    ]);
  }

  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness as an HTTP status and terminus body (terminus signals failure by throwing a 503 carrying the body). */
  readyWithStatus(): Promise<{ status: number; body: HealthCheckResult }> {
    return withStatus(this.ready());
  }

  liveWithStatus(): Promise<{ status: number; body: HealthCheckResult }> {
    return withStatus(this.live());
  }
}

async function withStatus(check: Promise<HealthCheckResult>): Promise<{ status: number; body: HealthCheckResult }> {
  try {
    return { status: 200, body: await check };
  } catch (error) {
    if (error instanceof ServiceUnavailableException)
      return { status: 503, body: error.getResponse() as HealthCheckResult };
    throw error;
  }
}
