import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Endpoint } from '../generated/prisma/client';
import { authView, EndpointAuth, EndpointAuthView } from './endpoint-auth';
import { EndpointFilter } from './endpoint-filter';
import type { Transformation } from '../transformations/transformation.types';

/** An endpoint as reads show it: never its secret. */
export class EndpointView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'default', description: 'The uid of the application it belongs to' }) application: string;
  @ApiProperty() url: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: { integrations: ['stripe'], eventTypes: ['invoice.*'] } }) filter: EndpointFilter;
  @ApiProperty() enabled: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) maxAttempts: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) timeoutMs: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) rateLimitPerSecond: number | null;
  @ApiProperty({ example: { 'x-tenant': 'eu-1' } }) headers: Record<string, string>;
  @ApiPropertyOptional({
    nullable: true,
    example: { type: 'bearer' },
    description: 'Without its token or client secret',
  })
  auth: EndpointAuthView | null;
  @ApiPropertyOptional({
    nullable: true,
    example: { code: 'function handler(webhook) { return webhook; }', enabled: true },
    description: 'JavaScript run on each delivery before it is signed (contract §7.4)',
  })
  transformation: Transformation | null;
  @ApiProperty({ enum: ['none', 'fifo'], description: 'Delivery order per ordering key (contract §7.5)' })
  ordering: 'none' | 'fifo';
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Set while an operator has paused the endpoint' })
  pausedAt: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Until when deliveries also carry a signature with the rotated-out secret (contract §7.6)',
  })
  previousSecretExpiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(endpoint: Endpoint, applicationUid: string, now = new Date()): EndpointView {
    const graceEnds = endpoint.previousSecret ? endpoint.previousSecretExpiresAt : null;
    return {
      id: endpoint.id,
      application: applicationUid,
      url: endpoint.url,
      description: endpoint.description,
      filter: endpoint.filter as EndpointFilter,
      enabled: endpoint.enabled,
      disabledReason: endpoint.disabledReason,
      maxAttempts: endpoint.maxAttempts,
      timeoutMs: endpoint.timeoutMs,
      rateLimitPerSecond: endpoint.rateLimitPerSecond,
      headers: endpoint.headers as Record<string, string>,
      auth: authView(endpoint.auth ? (JSON.parse(endpoint.auth) as EndpointAuth) : null),
      transformation: (endpoint.transformation as Transformation | null) ?? null,
      ordering: endpoint.ordering,
      pausedAt: endpoint.pausedAt?.toISOString() ?? null,
      previousSecretExpiresAt: graceEnds && graceEnds > now ? graceEnds.toISOString() : null,
      createdAt: endpoint.createdAt.toISOString(),
      updatedAt: endpoint.updatedAt.toISOString(),
    };
  }
}

/** The answer to POST /endpoints and rotate-secret: the only time the secret is shown. */
export class EndpointWithSecretView extends EndpointView {
  @ApiProperty({ example: 'whsec_…' }) secret: string;
}
