import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Process up and able to answer. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.readiness.live();
  }

  /** PostgreSQL, Redis, queue and memory: 503 with details when one fails. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.readiness.ready();
  }

  @Get()
  @HealthCheck()
  readyAlias() {
    return this.readiness.ready();
  }
}
