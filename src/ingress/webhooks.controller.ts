import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IngressAnswer, IngressService } from './ingress.service';

function lowerCaseHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly ingress: IngressService) {}

  /** Public: authenticity comes from the provider's signature over the raw bytes. */
  @Post(':integration')
  @ApiOperation({ summary: 'Receive a webhook (202 accepted, 200 duplicate)' })
  @ApiParam({ name: 'integration', description: 'Integration slug, e.g. stripe' })
  async receive(@Param('integration') slug: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<IngressAnswer> {
    const answer = await this.ingress.receive({
      slug,
      headers: lowerCaseHeaders(request),
      body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      receivedAt: new Date(),
      sourceIp: request.ip ?? null,
    });
    response.status(answer.duplicate ? 200 : 202);
    return answer;
  }
}
