// The concurrency sweep as an SVG written by hand: throughput (left) and p99 latency (right)
// against concurrency, one line per server. Every axis is logarithmic: the servers differ by orders
// of magnitude at low concurrency.

const PANEL = { width: 440, height: 300, left: 64, right: 16, top: 36, bottom: 44 };
const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Powers of ten, with 2 and 5 (or only 3 over many decades) between them, covering [min, max]. */
function logTicks(min, max) {
  const ticks = [];
  const steps = Math.log10(max / min) > 3 ? [1, 3] : [1, 2, 5];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++) {
    for (const step of steps) {
      const value = step * 10 ** power;
      if (value >= min && value <= max) ticks.push(value);
    }
  }
  return ticks;
}

function formatTick(value) {
  if (value >= 1000) return `${value / 1000}k`;
  return String(Number(value.toPrecision(3)));
}

/** One panel: `series` is [{ name, points: [{ x, y }] }]. Returns SVG elements translated by `offsetX`. */
function panel({ title, yLabel, series, xs, offsetX }) {
  const { width, height, left, right, top, bottom } = PANEL;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const found = series.flatMap((line) => line.points.map((point) => point.y)).filter((y) => y > 0);
  const ys = found.length ? found : [1, 10];
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const xLog = (x) => Math.log2(x);
  const xAt = (x) => left + ((xLog(x) - xLog(xs[0])) / (xLog(xs[xs.length - 1]) - xLog(xs[0]) || 1)) * plotWidth;
  const yAt = (y) => top + plotHeight - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) * plotHeight;
  const yTicks = logTicks(yMin, yMax);

  const parts = [`<g transform="translate(${offsetX},0)">`];
  parts.push(`<text x="${left + plotWidth / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
  for (const tick of yTicks) {
    const y = yAt(tick).toFixed(1);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`);
  }
  for (const x of xs) {
    const px = xAt(x).toFixed(1);
    parts.push(`<line x1="${px}" x2="${px}" y1="${top}" y2="${top + plotHeight}" stroke="#eee"/>`);
    parts.push(`<text x="${px}" y="${top + plotHeight + 16}" text-anchor="middle">${x}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">concurrent connections</text>`);
  parts.push(
    `<text transform="translate(14,${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
  );
  series.forEach((line, index) => {
    const points = line.points.filter((point) => point.y > 0);
    const colour = COLOURS[index % COLOURS.length];
    const path = points.map((point) => `${xAt(point.x).toFixed(1)},${yAt(point.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const point of points) {
      parts.push(`<circle cx="${xAt(point.x).toFixed(1)}" cy="${yAt(point.y).toFixed(1)}" r="3" fill="${colour}"/>`);
    }
  });
  parts.push('</g>');
  return parts.join('\n');
}

/**
 * `series`: [{ name, points: [{ concurrency, rps, p99 }] }]; `caption` is printed under the legend.
 * Returns the whole SVG document.
 */
function concurrencyChart({ title, caption = '', series }) {
  const xs = [...new Set(series.flatMap((line) => line.points.map((point) => point.concurrency)))].sort((a, b) => a - b);
  const pick = (key) => series.map((line) => ({ name: line.name, points: line.points.map((p) => ({ x: p.concurrency, y: p[key] })) }));
  const width = PANEL.width * 2;
  const legendY = PANEL.height + 8;
  const height = legendY + 48;
  const legend = series
    .map((line, index) => {
      const x = 70 + index * 200;
      const colour = COLOURS[index % COLOURS.length];
      return `<line x1="${x}" x2="${x + 24}" y1="${legendY + 10}" y2="${legendY + 10}" stroke="${colour}" stroke-width="3"/>` +
        `<text x="${x + 30}" y="${legendY + 10}" dominant-baseline="middle">${escape(line.name)}</text>`;
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel({ title: 'throughput (req/s)', yLabel: 'requests per second', series: pick('rps'), xs, offsetX: 0 }),
    panel({ title: 'p99 latency (ms)', yLabel: 'milliseconds', series: pick('p99'), xs, offsetX: PANEL.width }),
    legend,
    `<text x="${width / 2}" y="${legendY + 38}" text-anchor="middle" font-size="10" fill="#555">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { concurrencyChart };
