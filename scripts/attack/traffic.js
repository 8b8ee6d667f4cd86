// Normal traffic beside an attack: closed-loop clients posting to the service on keep-alive
// connections, recording each answer's status and latency, and every request that got no answer.
const http = require('node:http');

const BODY = JSON.stringify({});

/**
 * Runs `clients` closed-loop clients against `url` until `stop()`; resolves with
 * { requests, perSecond, p99Ms, statuses, lost }. A request without an answer within `timeoutMs`
 * (a reset, a refused connection, silence) is lost.
 */
function normalTraffic(url, { clients = 8, timeoutMs = 10_000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const statuses = {};
  let lost = 0;
  let running = true;
  const began = Date.now();
  const one = () =>
    new Promise((resolve) => {
      const start = process.hrtime.bigint();
      const request = http.request(`${url}/echo`, { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
          resolve();
        });
      });
      request.on('timeout', () => request.destroy(new Error('no answer in time')));
      request.on('error', () => {
        lost++;
        // As a real client would, it waits a little before it tries again instead of spinning.
        setTimeout(resolve, 50);
      });
      request.end(BODY);
    });
  const loops = Array.from({ length: clients }, async () => {
    while (running) await one();
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      const seconds = (Date.now() - began) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        requests: latencies.length,
        perSecond: latencies.length / seconds,
        p99Ms: latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] : undefined,
        statuses,
        lost,
      };
    },
  };
}

module.exports = { normalTraffic };
