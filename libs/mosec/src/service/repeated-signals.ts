import type { Logger } from '@nestjs/common';

/**
 * Says, during a drain, that a repeated SIGTERM or SIGINT changes nothing (the application's shutdown
 * hooks ignore it) and how to stop at once. Only watched where the application handles the signal:
 * a listener of ours alone would keep the signal from ending the process.
 */
export function watchRepeatedSignals(logger: Logger): () => void {
  const force = process.listenerCount('SIGQUIT') === 0 ? 'SIGQUIT (Ctrl-\\) or SIGKILL' : 'SIGKILL';
  const watched = (['SIGTERM', 'SIGINT'] as const).filter((signal) => process.listenerCount(signal) > 0);
  const listeners = watched.map((signal) => {
    const listener = () => logger.warn(`${signal} again: ignored while draining; ${force} stops the service at once`);
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => listeners.forEach((remove) => remove());
}
