import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { AuditService } from '../audit/audit.service';
import { InvalidRequestError, NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, keysetAfter, PageQueryDto, toPage } from '../common/pagination/page';
import { PrismaService } from '../common/database/prisma.service';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-hash';
import { Actor, ApiKeyScope } from './api-key.types';
import { CurrentActor, RequireScope } from './require-scope.decorator';

const SCOPES: ApiKeyScope[] = ['admin', 'ops', 'read'];

export class CreateApiKeyDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiProperty({ enum: SCOPES }) @IsIn(SCOPES) scope: ApiKeyScope;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new InvalidRequestError('id must be a UUID') });

/** Management keys (admin only). The plaintext key is returned once, at creation; only its SHA-256 is stored. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
@RequireScope('admin')
export class ApiKeysController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async list(@Query() query: PageQueryDto) {
    const after = decodeCursor(query.cursor);
    const rows = await this.prisma.apiKey.findMany({
      where: { revokedAt: null, ...keysetAfter('createdAt', after) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(rows, query.limit, (row) => ({ at: row.createdAt, id: row.id }), (row) => ({
      id: row.id,
      name: row.name,
      scope: row.scope,
      prefix: row.prefix,
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    }));
  }

  @Post()
  @HttpCode(201)
  async create(@Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor) {
    const key = generateApiKey();
    const row = await this.prisma.apiKey.create({ data: { name: dto.name, scope: dto.scope, keyHash: hashApiKey(key), prefix: displayPrefix(key) } });
    await this.audit.record({ actor: actor.name, action: 'api_key.created', subjectType: 'api_key', subjectId: row.id, details: { name: dto.name, scope: dto.scope } });
    return { id: row.id, name: row.name, scope: row.scope, key };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<void> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (!count) throw new NotFoundError(`No active API key ${id}`);
    await this.audit.record({ actor: actor.name, action: 'api_key.revoked', subjectType: 'api_key', subjectId: id });
  }
}
