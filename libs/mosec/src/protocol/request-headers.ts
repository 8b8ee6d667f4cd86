/**
 * The headers of `wanted` (lower-case names) that a request carries: what the stages that asked for
 * headers get with each item. A repeated header is joined with commas, as HTTP reads it.
 */
export function pickHeaders(headers: Record<string, string | string[] | undefined> | undefined, wanted: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of wanted) {
    const value = headers?.[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}
