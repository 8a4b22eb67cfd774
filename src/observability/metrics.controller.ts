import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from './metrics/metrics.service';
import { PublicRoute } from '../management/require-scope.decorator';

/** Prometheus text format; public like the health routes (put it behind the network edge, not a key). */
@ApiExcludeController()
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    response.setHeader('content-type', contentType);
    response.send(body);
  }
}
