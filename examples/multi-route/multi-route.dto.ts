import { ApiProperty } from '@nestjs/swagger';
import { IsInstance, IsString } from 'class-validator';

/** The typed route's request: msgpack `{"name": str, "bin": bytes}`. */
export class TypedRequest {
  @ApiProperty({ example: 'type check' })
  @IsString()
  name: string;

  @ApiProperty({ type: 'string', format: 'binary', description: 'msgpack bin' })
  @IsInstance(Buffer, { message: 'bin must be bytes (msgpack bin)' })
  bin: Buffer;
}

export class LengthResponse {
  @ApiProperty()
  length: number;
}
