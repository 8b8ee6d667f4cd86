/**
 * How much structure a body checked against a request DTO may have. class-transformer's cost grows
 * with the square of an object's keys (160,000 keys: 16 s of a blocked HTTP process), and with every
 * key and array element, so the body's bytes are counted against these before they are parsed.
 */
export interface BodyShapeLimits {
  /** Keys in one object. */
  maxObjectKeys: number;
  /** Elements in one array. */
  maxArrayLength: number;
  /** Keys and array elements in the whole body, at every level. */
  maxBodyValues: number;
  /** Arrays and objects nested in one another. */
  maxBodyDepth: number;
}

/** What each limit counts, as the client is told. */
const COUNTED: Record<keyof BodyShapeLimits, string> = {
  maxObjectKeys: 'an object has more than {n} keys',
  maxArrayLength: 'an array has more than {n} elements',
  maxBodyValues: 'the body has more than {n} keys and array elements',
  maxBodyDepth: 'the body nests arrays and objects more than {n} deep',
};

/** A body over one of the limits: names the limit, for the client (413) and the log. */
export class BodyShapeError extends Error {
  constructor(
    readonly limit: keyof BodyShapeLimits,
    readonly value: number,
  ) {
    super(`${COUNTED[limit].replace('{n}', String(value))} (${limit})`);
  }
}

/** Counts a body's structure as it is walked, throwing `BodyShapeError` at the first limit passed. */
export class ShapeCount {
  private values = 0;

  constructor(private readonly limits: BodyShapeLimits) {}

  /** A container opened at `depth` (the outermost is 1). */
  opened(depth: number): void {
    if (depth > this.limits.maxBodyDepth) throw new BodyShapeError('maxBodyDepth', this.limits.maxBodyDepth);
  }

  /** An object has `keys` keys so far; `added` of them are new. */
  keys(keys: number, added = 1): void {
    if (keys > this.limits.maxObjectKeys) throw new BodyShapeError('maxObjectKeys', this.limits.maxObjectKeys);
    this.add(added);
  }

  /** An array has `elements` elements so far; `added` of them are new. */
  elements(elements: number, added = 1): void {
    if (elements > this.limits.maxArrayLength) throw new BodyShapeError('maxArrayLength', this.limits.maxArrayLength);
    this.add(added);
  }

  private add(added: number): void {
    this.values += added;
    if (this.values > this.limits.maxBodyValues) throw new BodyShapeError('maxBodyValues', this.limits.maxBodyValues);
  }
}
