import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page';
import { DeliveryStatus } from '../../generated/prisma/client';

const STATUSES = Object.values(DeliveryStatus);

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: DeliveryStatus;
}

export class DeadLetterQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
}
