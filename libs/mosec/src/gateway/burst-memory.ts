import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A burst this large (request bytes held at its peak) is worth a collection once it is over. */
const BURST_BYTES = 64 * 1024 * 1024;
/** It is over when the bytes held fall below this share of its peak, */
const OVER_AT = 1 / 8;
/** and stay there this long. */
const SETTLE_MS = 1000;

let collect: (() => void) | undefined;

/** V8's full collection, which Node exposes only behind a flag. */
function collector(): () => void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

/**
 * Gives the memory of a burst of request bodies back to the operating system once the burst is
 * over. The bodies are Buffers outside V8's heap: V8 frees them only when it collects, which it does
 * not do while the service idles, so a burst of large uploads kept its hundreds of MiB resident
 * until some later collection. Measured after 400 uploads of 10 MiB held one byte short, with
 * jemalloc (deploy/Dockerfile): 378 MiB until V8 happened to collect 30 s later, 90 MiB one second
 * after the burst with this. (glibc's malloc keeps the freed pages either way: 400 MiB.)
 */
export class BurstMemory {
  private peak = 0;
  private timer?: NodeJS.Timeout;

  /** Told the bytes held after every change. */
  held(bytes: number): void {
    if (bytes > this.peak) this.peak = bytes;
    if (this.peak < BURST_BYTES || bytes > this.peak * OVER_AT || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.peak = 0;
      collector()();
    }, SETTLE_MS);
    this.timer.unref();
  }
}
