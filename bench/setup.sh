#!/usr/bin/env bash
# Installs what `npm run bench` drives and compares against: wrk (Debian), and each Python peer
# (mosec, PyTriton, LitServe, BentoML, the embedding reference mosec-embedding, the generation reference
# mosec-generation, and llama-cpp, built from source in about 6 minutes) in a venv of its
# own, bench/.venvs/<peer>, from the pinned bench/peers/<peer>/requirements.txt, by install-venv.sh:
# only when missing or when its requirements changed; a peer that fails to install is skipped, not
# fatal (the benchmark then says so and measures the rest). With BENCH_PYTHON set, mosec goes into
# that Python instead.
set -u

bench="$(cd "$(dirname "$0")" && pwd)"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench setup: installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null || { echo "bench setup: could not install wrk" >&2; exit 1; }
fi

if [ -n "${BENCH_PYTHON:-}" ]; then
  if ! "$BENCH_PYTHON" -c 'import mosec, onnxruntime, numpy' >/dev/null 2>&1; then
    echo "bench setup: installing mosec for $BENCH_PYTHON"
    "$BENCH_PYTHON" -m pip install --quiet -r "$bench/peers/mosec/requirements.txt" ||
      echo "bench setup: could not install mosec; the mosec rows will be skipped" >&2
  fi
else
  bash "$bench/install-venv.sh" mosec
fi

for peer in pytriton litserve bentoml mosec-embedding mosec-generation llama-cpp; do
  bash "$bench/install-venv.sh" "$peer"
done
bash "$bench/setup-ocr.sh"
exit 0
