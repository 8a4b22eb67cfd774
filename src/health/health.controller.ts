import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';
import { PublicRoute } from '../management/require-scope.decorator';

/** Terminus JSON (`status`, `info`, `error`, `details`) on success and on failure alike: a 503 keeps the details. */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Process up and able to answer. */
  @Get('live')
  async live(@Res() response: Response): Promise<void> {
    const { status, body } = await this.readiness.liveWithStatus();
    response.status(status).json(body);
  }

  /** PostgreSQL, Redis, queue and memory: 503 with details when one fails. */
  @Get(['ready', ''])
  async ready(@Res() response: Response): Promise<void> {
    const { status, body } = await this.readiness.readyWithStatus();
    response.status(status).json(body);
  }
}
