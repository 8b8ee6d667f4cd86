/** Weight of the newest batch in the moving averages: about the last ten batches count. */
const NEWEST = 0.2;

/**
 * How long a stage's forward takes for a batch of n items, fitted as `fixed + perItem × n` on its
 * recent batches (moving averages of n, of the duration and of their products: a least-squares line
 * that follows the load). A model's fixed part (weights read once per batch, kernel launches) is
 * what batching saves, and what a partial batch may wait for.
 */
export class ForwardTime {
  private batches = 0;
  private meanItems = 0;
  private meanMs = 0;
  private meanItems2 = 0;
  private meanItemsMs = 0;

  /** A batch of `items` took `ms`. */
  observe(items: number, ms: number): void {
    const weight = this.batches === 0 ? 1 : NEWEST;
    const keep = 1 - weight;
    this.meanItems = keep * this.meanItems + weight * items;
    this.meanMs = keep * this.meanMs + weight * ms;
    this.meanItems2 = keep * this.meanItems2 + weight * items * items;
    this.meanItemsMs = keep * this.meanItemsMs + weight * items * ms;
    this.batches++;
  }

  /** Measured at least once. */
  get known(): boolean {
    return this.batches > 0;
  }

  /**
   * Milliseconds a batch of `items` should take; 0 before the first batch. While every recent batch
   * had about the same size there is no line to fit, and the measured duration is the estimate.
   */
  estimate(items: number): number {
    if (this.batches === 0) return 0;
    const variance = this.meanItems2 - this.meanItems * this.meanItems;
    if (variance < 0.25) return this.meanMs;
    const perItem = Math.max(0, (this.meanItemsMs - this.meanItems * this.meanMs) / variance);
    const fixed = Math.min(this.meanMs, Math.max(0, this.meanMs - perItem * this.meanItems));
    return fixed + perItem * items;
  }
}
