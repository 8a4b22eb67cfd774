import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor } from '../management/api-key.types';
import { ApplicationScoped, CurrentActor, RequireScope } from '../management/require-scope.decorator';
import { EndpointTestDto } from './dto/endpoint-test.dto';
import { EndpointTestResult, EndpointTestService } from './endpoint-test.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('api/v1/endpoints')
@ApplicationScoped()
export class EndpointTestController {
  constructor(private readonly tests: EndpointTestService) {}

  /** Sends one signed test event to this endpoint only and answers with the attempt (contract §6.6). */
  @Post(':id/test')
  @HttpCode(200)
  @RequireScope('ops')
  test(
    @Param('id') id: string,
    @Body() dto: EndpointTestDto,
    @CurrentActor() actor: Actor,
  ): Promise<EndpointTestResult> {
    return this.tests.test(id, dto.type ?? 'hookgate.ping', actor.name);
  }
}
