import { Module } from '@nestjs/common';
import { SecretBox } from './secret-box';

/** Encryption of secrets at rest, for the repositories that store them. */
@Module({ providers: [SecretBox], exports: [SecretBox] })
export class SecretsModule {}
