import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page';
import { DeliveryStatus, EventStatus } from '../../generated/prisma/enums';

const EVENT_STATUSES = Object.values(EventStatus);
const DELIVERY_STATUSES = Object.values(DeliveryStatus);

/** The filters of GET /events (also the `filter` of a bulk replay). */
export class EventFilterDto {
  @ApiPropertyOptional({ description: 'Application uid (contract §7.1)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  application?: string;
  @ApiPropertyOptional({ enum: EVENT_STATUSES }) @IsOptional() @IsIn(EVENT_STATUSES) status?: EventStatus;
  @ApiPropertyOptional({ description: 'Integration slug' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  integration?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) provider?: string;
  @ApiPropertyOptional({ description: '`*` wildcards, e.g. invoice.*' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;
  @ApiPropertyOptional({ description: 'receivedAt >= from (ISO-8601)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;
  @ApiPropertyOptional({ description: 'receivedAt < to (ISO-8601)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) externalId?: string;
}

/** Bulk replays may also select by the status of the events' deliveries. */
export class ReplayFilterDto extends EventFilterDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  deliveryStatus?: DeliveryStatus;
}

/** GET /events: the filters, paged. */
export class EventQueryDto extends IntersectionType(PageQueryDto, EventFilterDto) {}
