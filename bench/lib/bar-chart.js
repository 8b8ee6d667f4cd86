// Bars as an SVG written by hand: one panel per group (e.g. echo and MLP req/s at c=64), one bar
// per server with its value on top, a linear axis from zero. A missing value leaves its bar out.

const PANEL = { width: 420, height: 300, left: 64, right: 16, top: 36, bottom: 60 };
const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (value) => (value >= 1000 ? `${Number((value / 1000).toPrecision(3))}k` : String(Number(value.toPrecision(3))));

/** A round step (1, 2 or 5 x 10^n) giving about five ticks up to `max`. */
function tickStep(max) {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((step) => step * power).find((step) => step >= rough);
}

function panel({ title, bars, offsetX }) {
  const { width, height, left, right, top, bottom } = PANEL;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const max = Math.max(1, ...bars.map((bar) => bar.value ?? 0));
  const step = tickStep(max);
  const yMax = Math.ceil(max / step) * step;
  const yAt = (value) => top + plotHeight - (value / yMax) * plotHeight;
  const slot = plotWidth / Math.max(1, bars.length);

  const parts = [`<g transform="translate(${offsetX},0)">`];
  parts.push(`<text x="${left + plotWidth / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
  for (let tick = 0; tick <= yMax + step / 2; tick += step) {
    const y = yAt(tick).toFixed(1);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(tick)}</text>`);
  }
  bars.forEach((bar, index) => {
    const x = left + index * slot + slot * 0.15;
    const centre = (left + index * slot + slot / 2).toFixed(1);
    parts.push(`<text x="${centre}" y="${top + plotHeight + 16}" text-anchor="middle">${escape(bar.name)}</text>`);
    if (bar.value === undefined) {
      parts.push(`<text x="${centre}" y="${top + plotHeight - 6}" text-anchor="middle" fill="#888">n/a</text>`);
      return;
    }
    const y = yAt(bar.value);
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(top + plotHeight - y).toFixed(1)}" fill="${COLOURS[index % COLOURS.length]}"/>`);
    parts.push(`<text x="${centre}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${label(bar.value)}</text>`);
  });
  parts.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  parts.push(`<text transform="translate(14,${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">requests per second</text>`);
  parts.push('</g>');
  return parts.join('\n');
}

/** `groups`: [{ title, bars: [{ name, value }] }]; `caption` goes under the panels. Returns the SVG document. */
function barChart({ title, caption = '', groups }) {
  const width = PANEL.width * groups.length;
  const height = PANEL.height + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...groups.map((group, index) => panel({ title: group.title, bars: group.bars, offsetX: index * PANEL.width })),
    `<text x="${width / 2}" y="${PANEL.height + 12}" text-anchor="middle" font-size="10" fill="#555">${escape(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { barChart };
