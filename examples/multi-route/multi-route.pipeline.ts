import { Module } from '@nestjs/common';
import { Pipeline } from '@mosec/nest';
import { LengthResponse, TypedRequest } from './multi-route.dto';
import { CountLength, RawPreprocess, TypedPreprocess } from './multi-route.stages';

/** Raw bytes in, JSON `{"length": n}` out. */
@Pipeline('/inference', { stages: [RawPreprocess, CountLength] })
@Module({ providers: [RawPreprocess, CountLength] })
export class RawPipeline {}

/** msgpack `{"name", "bin"}` in (checked against TypedRequest), `{"length": n}` out (msgpack when asked). */
@Pipeline('/v1/inference', { stages: [TypedPreprocess, CountLength], request: TypedRequest, response: LengthResponse })
@Module({ providers: [TypedPreprocess, CountLength] })
export class TypedPipeline {}
