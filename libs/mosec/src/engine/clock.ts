/** Monotonic milliseconds (the global `performance`, which test fake timers can drive). */
export const now = (): number => performance.now();
