/**
 * One item's cancellation, its `AbortSignal` made only when the stage asks for it (`context.signal`)
 * or the item is cancelled first: an `AbortController` made for every item of every frame cost the
 * echo pipeline about a quarter of its throughput, and most stages never read the signal.
 */
export class ItemCancellation {
  private controller?: AbortController;
  private wasCancelled = false;

  /** The item was cancelled: its task was answered, nothing made for it is read. */
  get cancelled(): boolean {
    return this.wasCancelled;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.wasCancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  cancel(): void {
    this.wasCancelled = true;
    this.controller?.abort();
  }
}
