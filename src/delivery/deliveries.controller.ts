import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/pagination/page';
import { ApplicationScoped, RequireScope } from '../management/require-scope.decorator';
import { DeadLetterItem, DeliveryListItem, DeliveryQueryService } from './delivery-query.service';
import { DeadLetterQueryDto, DeliveryQueryDto } from './dto/delivery-query.dto';

/** Read-only views of deliveries; replays and redrives live with the replay module. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('api/v1')
@RequireScope('read')
@ApplicationScoped()
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
