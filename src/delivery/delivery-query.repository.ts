import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { Delivery } from '../generated/prisma/client';
import { DeadLetterQueryDto, DeliveryQueryDto } from './dto/delivery-query.dto';

/** The read side of deliveries for the management API (the hot path's statements are in DeliveryRepository). */
@Injectable()
export class DeliveryQueryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, strictly after `after` in (createdAt desc, id desc) order. */
  list(filter: DeliveryQueryDto, take: number, after?: KeysetPosition): Promise<Delivery[]> {
    return this.prisma.delivery.findMany({
      where: { eventId: filter.eventId, endpointId: filter.endpointId, status: filter.status, ...keysetAfter('createdAt', after) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /** Most recently dead-lettered first, strictly after `after` in (deadLetteredAt desc, id desc) order. */
  deadLetters(filter: DeadLetterQueryDto, take: number, after?: KeysetPosition): Promise<Delivery[]> {
    return this.prisma.delivery.findMany({
      where: { status: 'dead_lettered', endpointId: filter.endpointId, ...keysetAfter('deadLetteredAt', after) },
      orderBy: [{ deadLetteredAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }
}
