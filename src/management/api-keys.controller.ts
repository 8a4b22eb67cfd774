import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { APPLICATION_UID_PATTERN } from '../common/tenancy/default-application';
import { ApiKeyService } from './api-key.service';
import { Actor, ApiKeyScope } from './api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from './require-scope.decorator';
import { IdParam } from '../common/http/id-param';
import { ApplicationListQueryDto } from '../common/tenancy/application-filter';

const SCOPES: ApiKeyScope[] = ['admin', 'ops', 'read'];

export class CreateApiKeyDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiProperty({ enum: SCOPES }) @IsIn(SCOPES) scope: ApiKeyScope;
  @ApiPropertyOptional({ example: 'acme', description: 'The uid of its application; absent = a global key' })
  @IsOptional()
  @IsString()
  @Matches(APPLICATION_UID_PATTERN, { message: 'application must be an application uid' })
  application?: string;
}

/** Management keys (admin only). The plaintext key is returned once, at creation; only its SHA-256 is stored. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
@RequireScope('admin')
@ApplicationScoped()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Get()
  list(@Query() query: ApplicationListQueryDto) {
    return this.keys.list(query.limit, query.cursor, query.application);
  }

  @Post()
  @HttpCode(201)
  create(@Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor) {
    return this.keys.create(dto.name, dto.scope, dto.application, actor.name);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@IdParam() id: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.keys.revoke(id, actor.name);
  }
}
