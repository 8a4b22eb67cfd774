import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EventType } from '../generated/prisma/client';

/** An event type of the catalog (contract §7.3); `declared: false` for a name only seen in events. */
export class EventTypeView {
  @ApiProperty({ example: 'invoice.paid' }) name: string;
  @ApiProperty({ example: 'default' }) application: string;
  @ApiProperty({ description: 'False for a type only seen in events, never declared' }) declared: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) description: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) schema: Record<string, unknown> | null;
  @ApiProperty() archived: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) createdAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) updatedAt: string | null;

  static of(eventType: EventType, application: string): EventTypeView {
    return {
      name: eventType.name,
      application,
      declared: true,
      description: eventType.description,
      schema: eventType.schema as Record<string, unknown> | null,
      archived: eventType.archived,
      createdAt: eventType.createdAt.toISOString(),
      updatedAt: eventType.updatedAt.toISOString(),
    };
  }

  static seen(name: string, application: string): EventTypeView {
    return {
      name,
      application,
      declared: false,
      description: null,
      schema: null,
      archived: false,
      createdAt: null,
      updatedAt: null,
    };
  }
}
