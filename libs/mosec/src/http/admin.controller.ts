import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Put, Type } from '@nestjs/common';
import { MosecAdmin, StageStatus } from '../gateway/mosec-admin.service';

/**
 * `MosecAdmin` over HTTP (`MosecModule.forRoot({ admin: true })`): `GET <path>/stages` and
 * `PUT <path>/stages/:stage` with `{ "workers": n }`. A Nest controller: the application's guards,
 * prefix and versioning reach it, so it is as protected as the rest of the application.
 */
export function adminController(path: string): Type<unknown> {
  @Controller(path)
  class MosecAdminController {
    constructor(@Inject(MosecAdmin) private readonly admin: MosecAdmin) {}

    @Get('stages')
    stages(): StageStatus[] {
      return this.admin.stages();
    }

    @Put('stages/:stage')
    async scale(@Param('stage') stage: string, @Body() body: { workers?: unknown }): Promise<StageStatus> {
      if (typeof body?.workers !== 'number') throw new BadRequestException('send { "workers": <number> }');
      if (!this.admin.stages().some((status) => status.name === stage)) throw new NotFoundException(`no stage ${stage} is served`);
      try {
        return await this.admin.scale(stage, body.workers);
      } catch (error) {
        if (error instanceof RangeError) throw new BadRequestException(error.message);
        throw error;
      }
    }
  }
  return MosecAdminController;
}
