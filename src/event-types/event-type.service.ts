import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { ApplicationService } from '../applications/application.service';
import { AuditService } from '../audit/audit.service';
import { ConflictError, InvalidRequestError, NotFoundError } from '../common/errors/domain-errors';
import { Page } from '../common/pagination/page';
import { AnnouncesChange, AnnouncingService, ChangeFeed } from '../common/redis/change-feed';
import { Prisma } from '../generated/prisma/client';
import { CreateEventTypeDto, EventTypeSettingsDto } from './dto/event-type.dto';
import { EventTypeRepository } from './event-type.repository';
import { EventTypeSchemas } from './event-type-schemas';
import { EventTypeView } from './event-type.view';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}

/** The cursor of the catalog's name-ordered pages: the last name shown. */
function encodeNameCursor(name: string): string {
  return Buffer.from(JSON.stringify({ after: name })).toString('base64url');
}

function decodeNameCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string') return after;
  } catch {
    // Falls through to the refusal below.
  }
  throw new InvalidRequestError('cursor is not a cursor returned by this API');
}

/** Each application's event-type catalog (contract §7.3), every change audited. */
@Injectable()
export class EventTypeService implements AnnouncingService {
  constructor(
    private readonly repository: EventTypeRepository,
    private readonly schemas: EventTypeSchemas,
    private readonly applications: ApplicationService,
    private readonly audit: AuditService,
    readonly changes: ChangeFeed,
  ) {}

  /** Declared types and the names seen in the application's events, merged in name order. */
  async list(applicationUid: string | undefined, limit: number, cursor?: string): Promise<Page<EventTypeView>> {
    const application = await this.applications.inScope(applicationUid);
    const after = decodeNameCursor(cursor);
    const [declared, seen] = await Promise.all([
      this.repository.listDeclared(application.id, limit + 1, after),
      this.repository.listSeen(application.id, limit + 1, after),
    ]);
    const byName = new Map<string, EventTypeView>();
    for (const name of seen) byName.set(name, EventTypeView.seen(name, application.uid));
    for (const eventType of declared) byName.set(eventType.name, EventTypeView.of(eventType, application.uid));
    const merged = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = merged.slice(0, limit);
    return {
      data: page,
      nextCursor: merged.length > limit ? encodeNameCursor(page[page.length - 1].name) : null,
    };
  }

  async get(applicationUid: string | undefined, name: string): Promise<EventTypeView> {
    const application = await this.applications.inScope(applicationUid);
    const eventType = await this.repository.find(application.id, name);
    if (!eventType) throw new NotFoundError(`No event type ${name} in application ${application.uid}`);
    return EventTypeView.of(eventType, application.uid);
  }

  @AnnouncesChange('event-types')
  @Transactional()
  async create(dto: CreateEventTypeDto, actor: string): Promise<EventTypeView> {
    const { application: uid, name, schema, ...fields } = dto;
    const application = await this.applications.inScope(uid);
    if (schema) this.schemas.assertValidSchema(schema);
    try {
      const created = await this.repository.create({
        ...fields,
        name,
        applicationId: application.id,
        ...(schema ? { schema: schema as Prisma.InputJsonObject } : {}),
      });
      await this.audit.record({
        actor,
        action: 'event_type.created',
        applicationId: application.id,
        subjectType: 'event_type',
        subjectId: created.id,
        details: { application: application.uid, name, schema: schema !== undefined },
      });
      return EventTypeView.of(created, application.uid);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`Application ${application.uid} has an event type ${name} already`);
      throw error;
    }
  }

  @AnnouncesChange('event-types')
  @Transactional()
  async update(
    applicationUid: string | undefined,
    name: string,
    dto: EventTypeSettingsDto,
    actor: string,
  ): Promise<EventTypeView> {
    const application = await this.applications.inScope(applicationUid);
    const current = await this.repository.find(application.id, name);
    if (!current) throw new NotFoundError(`No event type ${name} in application ${application.uid}`);
    const { schema, ...fields } = dto;
    if (schema) this.schemas.assertValidSchema(schema);
    const updated = await this.repository.update(current.id, {
      ...fields,
      ...(schema !== undefined ? { schema: schema as Prisma.InputJsonObject } : {}),
    });
    await this.audit.record({
      actor,
      action: 'event_type.updated',
      applicationId: application.id,
      subjectType: 'event_type',
      subjectId: current.id,
      details: { application: application.uid, name, changed: Object.keys(dto) },
    });
    return EventTypeView.of(updated, application.uid);
  }
}
