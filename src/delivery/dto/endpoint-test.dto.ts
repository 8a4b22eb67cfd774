import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class EndpointTestDto {
  @ApiPropertyOptional({
    default: 'hookgate.ping',
    description: "The test event's type; Hookgate's own types start with `hookgate.`",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^hookgate\.[a-z0-9_.-]+$/, {
    message: 'type must start with "hookgate." followed by lower-case letters, digits, "_", "-" or "."',
  })
  type?: string;
}
