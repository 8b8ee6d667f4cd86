import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';

export class OrderLine {
  @ApiProperty({ example: 'tea-01' })
  @IsString()
  @Length(1, 32)
  sku: string;

  // Bounded, so that a total stays a finite number (an overflow to Infinity would encode as null).
  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;

  @ApiProperty({ minimum: 0, maximum: 1_000_000, example: 3.5 })
  @IsNumber()
  @Min(0)
  @Max(1_000_000)
  price: number;
}

/** An order: checked in the HTTP process before it reaches a worker. */
export class OrderRequest {
  @ApiProperty({ example: 'ada' })
  @IsString()
  @IsNotEmpty()
  customer: string;

  @ApiProperty({ type: [OrderLine], minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines: OrderLine[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  note?: string;
}

export class OrderResponse {
  @ApiProperty()
  customer: string;

  @ApiProperty({ description: 'sum of quantity × price' })
  total: number;

  @ApiProperty({ description: 'the properties the stage received (undeclared ones are dropped before it)' })
  fields: string[];

  @ApiProperty({ description: 'how many orders the stage handled in the same batch' })
  batchSize: number;
}
