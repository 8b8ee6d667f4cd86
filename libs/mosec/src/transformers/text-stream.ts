/**
 * The text of an answer as its tokens come, cut at the first stop string: `push` returns the text that
 * can go out now. Text that could still become a stop string (a tail that begins one) is held back
 * until the next tokens say it does not, and so is an unfinished UTF-8 character; a stop string never
 * goes out, nor anything after it.
 */
export class TextStream {
  private sent = 0;
  /** A stop string was met: nothing more goes out. */
  stopped = false;

  constructor(
    private readonly decode: (ids: number[]) => string,
    private readonly stops: string[] = [],
  ) {}

  /** The text that can go out now, given every token made so far (`final`: no more will come). */
  push(ids: number[], final = false): string {
    if (this.stopped) return '';
    const text = this.decode(ids);
    const stop = this.firstStop(text);
    if (stop >= 0) {
      this.stopped = true;
      return this.take(text, stop);
    }
    if (final) return this.take(text, text.length);
    // U+FFFD at the end: the bytes of a character are split between tokens.
    const complete = text.endsWith('\uFFFD') ? text.length - 1 : text.length;
    return this.take(text, complete - this.heldForStops(text.slice(0, complete)));
  }

  private take(text: string, end: number): string {
    if (end <= this.sent) return '';
    const out = text.slice(this.sent, end);
    this.sent = end;
    return out;
  }

  private firstStop(text: string): number {
    let first = -1;
    for (const stop of this.stops) {
      const at = text.indexOf(stop, Math.max(0, this.sent - stop.length + 1));
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    return first;
  }

  /** Length of the longest tail of `text` that is the beginning of a stop string. */
  private heldForStops(text: string): number {
    let held = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, text.length); length > held; length--) {
        if (text.endsWith(stop.slice(0, length))) {
          held = length;
          break;
        }
      }
    }
    return held;
  }
}
