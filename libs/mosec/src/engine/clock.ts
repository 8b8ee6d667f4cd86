import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds. */
export const now = (): number => performance.now();
