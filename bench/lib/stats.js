// Medians over rounds.

/** The median of the numbers given, ignoring undefined ones; undefined when there are none. */
function median(values) {
  const sorted = values.filter((value) => value !== undefined && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

module.exports = { median };
