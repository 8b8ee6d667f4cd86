/**
 * prom-client's default registry, as a worker reports it to the HTTP process. A stage that records
 * metrics has loaded prom-client itself; one that has not has nothing to report, and its worker does
 * not load prom-client (and OpenTelemetry's API with it) just to say so.
 */
export const register = {
  async getMetricsAsJSON(): Promise<unknown[]> {
    if (!require.cache[require.resolve('prom-client')]) return [];
    return (require('prom-client') as typeof import('prom-client')).register.getMetricsAsJSON();
  },
};
