/**
 * One item's cancellation, its `AbortSignal` made only when the stage asks for it (`context.signal`)
 * or the item is cancelled first: an `AbortController` made for every item of every frame cost the
 * echo pipeline about a quarter of its throughput, and most stages never read the signal.
 */
export class ItemCancellation {
  private controller?: AbortController;
  private cancelled = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  cancel(): void {
    this.cancelled = true;
    this.controller?.abort();
  }
}
