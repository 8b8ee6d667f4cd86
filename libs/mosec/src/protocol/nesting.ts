/**
 * Deepest nesting of arrays and objects a request body may have. Parsing deeper JSON works (V8's
 * `JSON.parse` does not recurse), but what comes after recurses (msgpack between stages,
 * `JSON.stringify`, class-transformer) and overflows the stack near 1,300 levels: the request would
 * fail there with 500 instead of 400 at decoding. mosec's Python `json` stops near 1,000 levels.
 */
export const MAX_NESTING = 512;

/** Whether `root` nests arrays or objects more than `limit` deep (iterative: client data sets no recursion depth). */
export function nestsDeeperThan(root: unknown, limit: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null && !ArrayBuffer.isView(child)) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * `value`, decoded from `size` bytes, unless it nests deeper than MAX_NESTING. Each level takes at
 * least one byte, so small bodies are not walked.
 */
export function withinNesting<T>(value: T, size: number): T {
  if (size > MAX_NESTING && nestsDeeperThan(value, MAX_NESTING)) throw new Error(`nested deeper than ${MAX_NESTING} levels`);
  return value;
}
