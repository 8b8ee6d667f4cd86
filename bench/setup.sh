#!/usr/bin/env bash
# Installs what `npm run bench` drives and compares against: wrk (Debian) and Python mosec (PyPI).
# Each step is skipped when the tool is already there; a failure to get mosec is not fatal
# (the benchmark then says so and measures the rest).
set -u

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench setup: installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null || { echo "bench setup: could not install wrk" >&2; exit 1; }
fi

python="${BENCH_PYTHON:-python3}"
if ! "$python" -c 'import mosec' >/dev/null 2>&1; then
  echo "bench setup: installing mosec for $python"
  "$python" -m pip install --quiet mosec || echo "bench setup: could not install mosec; the mosec rows will be skipped" >&2
fi
exit 0
