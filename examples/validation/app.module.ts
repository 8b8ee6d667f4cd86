import { Module } from '@nestjs/common';
import { MosecModule } from '@mosec/nest';
import { OrderPipeline, StrictOrderPipeline } from './validation.pipeline';

@Module({
  imports: [MosecModule.forRoot({ pipelines: [OrderPipeline, StrictOrderPipeline], openapi: { title: 'Orders' } })],
})
export class AppModule {}
