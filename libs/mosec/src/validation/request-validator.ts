import { plainToInstance } from 'class-transformer';
import { validate, ValidationError as FieldError } from 'class-validator';
import { RequestCodec } from '../protocol/item-flags';
import { describeError } from '../errors';
import { DEFAULTS } from '../mosec.constants';
import { ANSWERS } from '../mosec.messages';
import { contentTypeOf, decodeRequest, encodeRequest, requestCodecOf } from '../protocol/codecs';
import { checkBodyShape } from './body-shape';
import { BodyShapeError, BodyShapeLimits } from './shape-count';

/** One property that failed: its path (`items.0.name`) and class-validator's messages. */
export interface FieldProblem {
  property: string;
  messages: string[];
}

/** The 422 body of a request that does not match the pipeline's request DTO. */
export interface ValidationFailure {
  message: 'request validation error';
  errors: FieldProblem[];
}

/** Either the checked body, re-encoded for the first stage, or the answer the client gets. */
export type CheckedBody = { payload: Buffer } | { status: number; type: string; body: string };

export type RequestValidator = (body: Buffer, codecFlags: number) => Promise<CheckedBody>;

/**
 * Checks request bodies against a class-validator DTO in the HTTP process, so a bad request costs no
 * worker time. The body is decoded (JSON or msgpack), turned into a DTO instance (class-transformer),
 * validated, and handed on re-encoded in the client's own codec: the first stage's decoding, custom
 * `deserialize` included, stays what it is without a DTO. Undeclared properties are dropped
 * (class-validator's whitelist), or refused with `forbidUnknown`. Before any of that, the body's keys,
 * array elements and depth are counted against `shape` (413 past a limit), as class-transformer's
 * work grows faster than the body.
 */
export function createRequestValidator(
  dto: new (...args: any[]) => unknown,
  forbidUnknown: boolean,
  shape: BodyShapeLimits = DEFAULT_SHAPE,
  warn: (message: string) => void = () => undefined,
): RequestValidator {
  const refusals = new ShapeRefusals(warn);
  const options = {
    whitelist: true,
    forbidNonWhitelisted: forbidUnknown,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  };
  return async (body, codecFlags) => {
    const codec = requestCodecOf(codecFlags);
    if (codec !== RequestCodec.JSON && codec !== RequestCodec.MSGPACK) {
      return textAnswer(415, `unsupported media type: this route takes a JSON or msgpack body, not ${contentTypeOf(codec)}`);
    }
    try {
      checkBodyShape(codec, body, shape);
    } catch (error) {
      if (!(error instanceof BodyShapeError)) throw error;
      refusals.note(error);
      return textAnswer(413, `${ANSWERS.tooLarge}: ${error.message}`);
    }
    let plain: unknown;
    try {
      plain = decodeRequest(codec, body);
    } catch (error) {
      const { status, body: text } = describeError(error);
      return textAnswer(status, text);
    }
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
      return failure([{ property: '', messages: ['the request body must be an object'] }]);
    }
    let instance: object;
    try {
      instance = plainToInstance(dto, plain) as object;
    } catch {
      // class-transformer throws on some plain values (an own `constructor` key in a nested object).
      return failure([{ property: '', messages: [`the request body cannot be read as ${dto.name}`] }]);
    }
    const errors = await validate(instance, options);
    if (errors.length > 0) return failure(flattenErrors(errors));
    return { payload: encodeRequest(codec, instance) };
  };
}

const DEFAULT_SHAPE: BodyShapeLimits = {
  maxObjectKeys: DEFAULTS.maxObjectKeys,
  maxArrayLength: DEFAULTS.maxArrayLength,
  maxBodyValues: DEFAULTS.maxBodyValues,
  maxBodyDepth: DEFAULTS.maxBodyDepth,
};

/** One log line for the first body a limit refuses, then at most one a minute with the count since. */
class ShapeRefusals {
  private readonly last = new Map<string, { at: number; since: number }>();

  constructor(private readonly warn: (message: string) => void) {}

  note(error: BodyShapeError): void {
    const seen = this.last.get(error.limit);
    const now = Date.now();
    if (seen && now - seen.at < 60_000) {
      seen.since++;
      return;
    }
    const more = seen?.since ? ` (${seen.since} more since the last line)` : '';
    const variable = `MOSEC_${error.limit.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
    this.warn(`refused a request body (413): ${error.message}; the option ${error.limit} (${variable}) sets it${more}`);
    this.last.set(error.limit, { at: now, since: 0 });
  }
}

/** class-validator's error tree as a flat list of property paths (`items.0.name`) and messages. */
export function flattenErrors(errors: FieldError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const property = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) problems.push({ property, messages: Object.values(error.constraints) });
    if (error.children?.length) problems.push(...flattenErrors(error.children, property));
  }
  return problems;
}

function failure(errors: FieldProblem[]): CheckedBody {
  const body: ValidationFailure = { message: 'request validation error', errors };
  return { status: 422, type: 'application/json', body: JSON.stringify(body) };
}

function textAnswer(status: number, body: string): CheckedBody {
  return { status, type: 'text/plain; charset=utf-8', body };
}
