import { IsIn, IsInt, IsOptional, IsString, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface, ValidationArguments } from 'class-validator';
import { ApiProperty } from './api-property';
import { embeddingInputProblem, MAX_EMBEDDING_INPUTS } from './embedding-input';

@ValidatorConstraint({ name: 'embeddingInput' })
class EmbeddingInputRule implements ValidatorConstraintInterface {
  validate(input: unknown, args: ValidationArguments): boolean {
    (args.object as { inputProblem?: string }).inputProblem = embeddingInputProblem(input);
    return (args.object as { inputProblem?: string }).inputProblem === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return (args.object as { inputProblem?: string }).inputProblem ?? 'invalid input';
  }
}

/** `POST /v1/embeddings`, as OpenAI's API takes it. */
export class CreateEmbeddingRequest {
  @ApiProperty({
    description: `Text to embed: a string, an array of strings, an array of token ids or an array of arrays of token ids (at most ${MAX_EMBEDDING_INPUTS} inputs, none empty). A text longer than the model takes is truncated.`,
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
    ],
    example: 'The food was delicious and the waiter was friendly.',
  })
  @Validate(EmbeddingInputRule)
  input: string | string[] | number[] | number[][];

  @ApiProperty({ description: 'The model, as `GET /v1/models` lists it.', example: 'all-MiniLM-L6-v2' })
  @IsString({ message: 'model must be a string' })
  model: string;

  @ApiProperty({ description: '`float` (numbers) or `base64` (little-endian float32 bytes). Default float.', enum: ['float', 'base64'], required: false })
  @IsOptional()
  @IsIn(['float', 'base64'], { message: "encoding_format must be 'float' or 'base64'" })
  encoding_format?: 'float' | 'base64';

  @ApiProperty({ description: "Width of the vectors: only the model's own is served.", required: false, type: 'integer' })
  @IsOptional()
  @IsInt({ message: 'dimensions must be an integer' })
  @Min(1, { message: 'dimensions must be at least 1' })
  dimensions?: number;

  @ApiProperty({ description: 'Who the request is for (accepted, not used).', required: false })
  @IsOptional()
  @IsString({ message: 'user must be a string' })
  user?: string;
}

export class Embedding {
  @ApiProperty({ enum: ['embedding'] })
  object: 'embedding';

  @ApiProperty({ description: 'Numbers, or a base64 string of little-endian float32 bytes.', oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string' }] })
  embedding: number[] | string;

  @ApiProperty({ description: "The input's position in the request.", type: 'integer' })
  index: number;
}

export class EmbeddingUsage {
  @ApiProperty({ type: 'integer', description: 'Tokens the model read, summed over the inputs (after truncation).' })
  prompt_tokens: number;

  @ApiProperty({ type: 'integer' })
  total_tokens: number;
}

export class CreateEmbeddingResponse {
  @ApiProperty({ enum: ['list'] })
  object: 'list';

  @ApiProperty({ type: [Embedding] })
  data: Embedding[];

  @ApiProperty({})
  model: string;

  @ApiProperty({ type: EmbeddingUsage })
  usage: EmbeddingUsage;
}

export class ModelCard {
  @ApiProperty({})
  id: string;

  @ApiProperty({ enum: ['model'] })
  object: 'model';

  @ApiProperty({ type: 'integer', description: 'Unix seconds.' })
  created: number;

  @ApiProperty({})
  owned_by: string;
}

export class ModelList {
  @ApiProperty({ enum: ['list'] })
  object: 'list';

  @ApiProperty({ type: [ModelCard] })
  data: ModelCard[];
}
