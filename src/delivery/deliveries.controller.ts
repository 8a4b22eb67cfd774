import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { Page, PageQueryDto } from '../common/pagination/page';
import { DeliveryStatus } from '../generated/prisma/client';
import { RequireScope } from '../management/require-scope.decorator';
import { DeadLetterItem, DeliveryListItem, DeliveryQueryService } from './delivery-query.service';

const STATUSES = Object.values(DeliveryStatus);

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: DeliveryStatus;
}

export class DeadLetterQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
}

/** Read-only views of deliveries; replays and redrives live with the replay module. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/v1')
@RequireScope('read')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveryQueryService) {}

  @Get('deliveries')
  list(@Query() query: DeliveryQueryDto): Promise<Page<DeliveryListItem>> {
    return this.deliveries.list(query);
  }

  @Get('dead-letters')
  deadLetters(@Query() query: DeadLetterQueryDto): Promise<Page<DeadLetterItem>> {
    return this.deliveries.deadLetters(query);
  }
}
