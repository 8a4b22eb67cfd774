import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Application } from '../generated/prisma/client';

/** An application as the API shows it (contract §7.1). */
export class ApplicationView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'acme' }) uid: string;
  @ApiProperty({ example: 'Acme Inc.' }) name: string;
  @ApiProperty() metadata: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: Number }) rateLimitPerSecond: number | null;
  @ApiProperty() portal: Record<string, unknown>;
  @ApiProperty({ description: 'False once DELETE disabled it: its ingress answers 404, its endpoints get nothing new' })
  enabled: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) disabledAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static of(application: Application): ApplicationView {
    return {
      id: application.id,
      uid: application.uid,
      name: application.name,
      metadata: application.metadata as Record<string, unknown>,
      rateLimitPerSecond: application.rateLimitPerSecond,
      portal: application.portal as Record<string, unknown>,
      enabled: application.disabledAt === null,
      disabledAt: application.disabledAt?.toISOString() ?? null,
      createdAt: application.createdAt.toISOString(),
      updatedAt: application.updatedAt.toISOString(),
    };
  }
}
