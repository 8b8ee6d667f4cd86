/** Frames remembered: the fastest of them gives a frame's fixed part. */
const WINDOW = 16;

/**
 * What each item adds to a frame's time, for a stage that does not batch: a frame's time from
 * dispatch to result is its fixed part (two messages, and on a busy machine the worker waiting to be
 * scheduled, often ~10 ms) plus its items' forwards. Delays only ever add to a frame's time, so the
 * fastest recent frame gives the fixed part, and the frame of several items that added least per
 * item beyond it gives the work per item. Before any frame of several items, the fastest lone frame
 * is the bound (the item's work and the frame's fixed part together: a stage whose items are long
 * must not send its first backlog in one frame, ahead of a higher-priority task), and a frame of two
 * is due (`probeDue`) to tell the two apart. The measure is kept while frames hold one item each (a
 * stage whose items are long sends them one by one, and must go on doing so); but after `WINDOW`
 * such frames a frame of two is due again, so that one slow frame cannot keep a light stage at one
 * item a frame.
 */
export class FrameWork {
  private readonly frames: Array<{ items: number; ms: number }> = [];
  private framesOfOne = 0;
  /** Measured from frames of several items; undefined before the first. */
  private known?: number;

  /** A frame of `items` took `ms` from dispatch to result. */
  observe(items: number, ms: number): void {
    this.frames.push({ items, ms });
    if (this.frames.length > WINDOW) this.frames.shift();
    if (items === 1) {
      this.framesOfOne++;
      return;
    }
    this.framesOfOne = 0;
    const fixedMs = Math.min(...this.frames.map((frame) => frame.ms));
    let perItem = Infinity;
    for (const { items: n, ms: took } of this.frames) if (n > 1) perItem = Math.min(perItem, Math.max(0, took - fixedMs) / (n - 1));
    if (perItem !== Infinity) this.known = perItem;
  }

  /** Lone frames alone so far, or for `WINDOW` frames in a row: the next may take two, to measure (again). */
  get probeDue(): boolean {
    return this.framesOfOne >= WINDOW || (this.known === undefined && this.framesOfOne > 0);
  }

  /** Milliseconds each item adds to a frame (at most); 0 before any frame. */
  get perItemMs(): number {
    if (this.known !== undefined) return this.known;
    return this.frames.length > 0 ? Math.min(...this.frames.map((frame) => frame.ms)) : 0;
  }
}
