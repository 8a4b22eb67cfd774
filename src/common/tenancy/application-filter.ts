import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../pagination/page';
import { APPLICATION_UID_PATTERN } from './default-application';

/** A list route's page and `?application=<uid>`: a global key narrows any list to one application (contract §7.1). */
export class ApplicationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'acme',
    description: "Only this application's rows; absent = every application the key may see",
  })
  @IsOptional()
  @IsString()
  @Matches(APPLICATION_UID_PATTERN, { message: 'application must be an application uid' })
  application?: string;
}

/** The applications a list shows: an application key's own (`confinedTo`), narrowed to the one `uid` names. */
export interface ApplicationFilter {
  confinedTo?: string;
  uid?: string;
}

/**
 * The Prisma `where` fields of a row that belongs to an application, for that filter; empty for every application.
 * Naming an application other than the key's, or none that exists, finds nothing rather than failing.
 */
export function inApplication(filter: ApplicationFilter): { applicationId?: string; application?: { uid: string } } {
  return {
    ...(filter.confinedTo ? { applicationId: filter.confinedTo } : {}),
    ...(filter.uid ? { application: { uid: filter.uid } } : {}),
  };
}
