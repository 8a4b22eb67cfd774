import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApplicationListQueryDto } from '../../common/tenancy/application-filter';
import { DeliveryStatus } from '../../generated/prisma/client';

const STATUSES = Object.values(DeliveryStatus);

export class DeliveryQueryDto extends ApplicationListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: DeliveryStatus;
}

export class DeadLetterQueryDto extends ApplicationListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
}
