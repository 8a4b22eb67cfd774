import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page';
import { DeliveryStatus } from '../../generated/prisma/client';

const STATUSES = Object.values(DeliveryStatus);

/** Lists of deliveries: every application's for a global key unless `application` names one (contract §7.1). */
class DeliveryListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Application uid (contract §7.1); absent = every application a key may see' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  application?: string;
}

export class DeliveryQueryDto extends DeliveryListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() eventId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: DeliveryStatus;
}

export class DeadLetterQueryDto extends DeliveryListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
}
