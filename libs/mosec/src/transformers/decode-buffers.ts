/**
 * Where a decode step's `present.*` outputs are written. onnxruntime-node copies every output it
 * allocates itself into a new JS buffer (for a batch's whole cache, tens of MB a step), but writes an
 * output given to it as a tensor in place. Two sets of buffers take turns: a step reads its cache
 * from the set the step before wrote, and writes the grown cache into the other. A buffer grows by
 * doubling (a step adds one column, so it grows rarely), and one four times larger than a step needs
 * (the batch got smaller) is replaced by one twice as large, so memory follows the batch.
 */
export class DecodeBuffers {
  private readonly sets: [Float32Array[], Float32Array[]] = [[], []];
  private turn = 0;

  constructor(private readonly count: number) {}

  /** `count` views of `size` floats, in the set the previous call did not return. */
  next(size: number): Float32Array[] {
    this.turn = 1 - this.turn;
    const set = this.sets[this.turn];
    for (let i = 0; i < this.count; i++) {
      const held = set[i]?.length ?? 0;
      if (held < size) set[i] = new Float32Array(Math.max(size, 2 * held));
      else if (held > 4 * size) set[i] = new Float32Array(2 * size);
    }
    return set.map((buffer) => buffer.subarray(0, size));
  }

  /** Floats held by both sets. */
  get held(): number {
    return [...this.sets[0], ...this.sets[1]].reduce((sum, buffer) => sum + buffer.length, 0);
  }
}
