import { Module } from '@nestjs/common';
import { TransformationSandbox } from './transformation-sandbox';
import { TransformationService } from './transformation.service';

/** Endpoint transformations (contract §7.4): user JavaScript run in a WebAssembly sandbox before a delivery is signed. */
@Module({
  providers: [TransformationSandbox, TransformationService],
  exports: [TransformationService],
})
export class TransformationsModule {}
