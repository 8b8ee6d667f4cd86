// Load from fetch clients, for services wrk cannot drive well (large or binary bodies, few connections).

/**
 * `connections` clients POSTing `body` with `headers` back to back for `seconds`:
 * { answered, failed, rps (answered per second), p50 (ms, of the answered) }.
 */
async function driveFetch(url, { body, headers }, connections, seconds) {
  const latencies = [];
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < until) {
      const began = performance.now();
      const answer = await fetch(url, { method: 'POST', headers, body });
      await answer.arrayBuffer();
      if (answer.status === 200) latencies.push(performance.now() - began);
      else failed++;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: connections }, client));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { answered: latencies.length, failed, rps: latencies.length / elapsed, p50: latencies[Math.floor(latencies.length / 2)] };
}

module.exports = { driveFetch };
