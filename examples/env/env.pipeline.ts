import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { Inference } from './env.stages';

@Pipeline('/inference', { stages: [Inference] })
@Module({ providers: [Inference] })
export class EnvPipeline {}
