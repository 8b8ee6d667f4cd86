// The model's own limit: session.run on a full batch in a tight loop, no HTTP, no processes.
// Prints one JSON line: items per second at BENCH_OFFLINE_BATCH rows and at 1 row (BENCH_OFFLINE_SINGLE=0:
// the batch only).
const { loadMlpSession } = require('./mlp-session');

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const batch = Number(process.env.BENCH_OFFLINE_BATCH ?? 64);

async function itemsPerSecond(mlp, rows, forSeconds) {
  const data = Float32Array.from({ length: rows * mlp.features }, (_, i) => ((i % 17) - 8) / 8);
  const feeds = { [mlp.input]: new mlp.ort.Tensor('float32', data, [rows, mlp.features]) };
  const started = performance.now();
  let items = 0;
  while (performance.now() - started < forSeconds * 1000) {
    await mlp.session.run(feeds, [mlp.output]);
    items += rows;
  }
  return (items * 1000) / (performance.now() - started);
}

async function main() {
  const mlp = await loadMlpSession();
  await itemsPerSecond(mlp, batch, 1); // warm-up
  const batched = await itemsPerSecond(mlp, batch, seconds);
  const single = process.env.BENCH_OFFLINE_SINGLE === '0' ? undefined : await itemsPerSecond(mlp, 1, Math.max(1, seconds / 4));
  const threads = mlp.options.intraOpNumThreads;
  console.log(JSON.stringify({ batch, threads, itemsPerSecond: batched, singleItemsPerSecond: single }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
