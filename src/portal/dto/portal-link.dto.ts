import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PORTAL_ACCESSES, PortalAccess } from '../../management/portal-session.service';

export class CreatePortalLinkDto {
  @ApiPropertyOptional({ default: 3600, minimum: 60, maximum: 86_400, description: 'How long the link may be opened' })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86_400)
  ttlSeconds?: number;

  @ApiPropertyOptional({ enum: PORTAL_ACCESSES, default: 'manage', description: '`read` shows no changing controls' })
  @IsOptional()
  @IsIn(PORTAL_ACCESSES)
  access?: PortalAccess;
}

export class PortalLinkView {
  @ApiProperty({ description: 'Opens the portal once; its token is exchanged for a session cookie' })
  url: string;

  @ApiProperty({ description: 'After this the link opens nothing' })
  expiresAt: string;
}
