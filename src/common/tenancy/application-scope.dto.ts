import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { APPLICATION_UID_PATTERN } from './default-application';

/**
 * The `application` of a request body or query (contract §7.1): the uid of the application it acts in. Absent: the
 * application of an application key, else `default` (ApplicationService.inScope).
 */
export class ApplicationScopeDto {
  @ApiPropertyOptional({
    example: 'acme',
    description: "The uid of the application; absent = the key's application, or 'default' for a global key",
  })
  @IsOptional()
  @IsString()
  @Matches(APPLICATION_UID_PATTERN, { message: 'application must be an application uid' })
  application?: string;
}
