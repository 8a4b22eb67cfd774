import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ReplayFilterDto } from '../../events/dto/event-query.dto';

export class ReplayEventDto {
  @ApiProperty({ example: 'receiver was down during the incident' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
  @ApiPropertyOptional({ description: 'Only this endpoint (regardless of its filter)' })
  @IsOptional()
  @IsUUID()
  endpointId?: string;
}

export class BulkReplayDto extends ReplayEventDto {
  @ApiProperty({ type: ReplayFilterDto }) @ValidateNested() @Type(() => ReplayFilterDto) filter: ReplayFilterDto;
  @ApiPropertyOptional({ description: 'Only count the matches; nothing is stored or enqueued' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class RedriveFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() endpointId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) integration?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() from?: Date;
  @ApiPropertyOptional() @IsOptional() @Type(() => Date) @IsDate() to?: Date;
}

export class RedriveDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(1000) reason: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  deliveryIds?: string[];
  @ApiPropertyOptional({ type: RedriveFilterDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RedriveFilterDto)
  filter?: RedriveFilterDto;
}

/** `POST /endpoints/:id/recover`: the endpoint's deliveries since `since` that did not succeed are run again. */
export class RecoverDto {
  @ApiProperty({
    example: '2026-12-01T08:00:00Z',
    description: 'Deliveries created, or dead-lettered, at or after this time',
  })
  @Type(() => Date)
  @IsDate()
  since: Date;

  @ApiProperty({ example: 'receiver was down from 08:00' }) @IsString() @MinLength(1) @MaxLength(1000) reason: string;
}
