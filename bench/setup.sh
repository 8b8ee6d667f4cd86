#!/usr/bin/env bash
# Installs what `npm run bench` drives and compares against: wrk (Debian), and each Python peer
# (mosec, PyTriton, LitServe, BentoML) in a venv of its own, bench/.venvs/<peer>, from the pinned
# bench/peers/<peer>/requirements.txt. A venv is made only when missing or when its requirements
# changed (a copy is kept as its stamp, written last); a peer that fails to install is skipped, not
# fatal (the benchmark then says so and measures the rest). With BENCH_PYTHON set, mosec goes into
# that Python instead, as before.
set -u

bench="$(cd "$(dirname "$0")" && pwd)"

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench setup: installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null || { echo "bench setup: could not install wrk" >&2; exit 1; }
fi

install_venv() {
  local peer="$1"
  local venv="$bench/.venvs/$peer"
  local requirements="$bench/peers/$peer/requirements.txt"
  if cmp -s "$requirements" "$venv/.installed"; then return; fi
  echo "bench setup: installing $peer into bench/.venvs/$peer"
  local started=$SECONDS
  rm -rf "$venv"
  if python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"; then
    cp "$requirements" "$venv/.installed"
    echo "bench setup: $peer installed in $((SECONDS - started)) s, $(du -sh "$venv" | cut -f1)"
  else
    rm -rf "$venv"
    echo "bench setup: could not install $peer; it is skipped" >&2
  fi
}

if [ -n "${BENCH_PYTHON:-}" ]; then
  if ! "$BENCH_PYTHON" -c 'import mosec, onnxruntime, numpy' >/dev/null 2>&1; then
    echo "bench setup: installing mosec for $BENCH_PYTHON"
    "$BENCH_PYTHON" -m pip install --quiet -r "$bench/peers/mosec/requirements.txt" ||
      echo "bench setup: could not install mosec; the mosec rows will be skipped" >&2
  fi
else
  install_venv mosec
fi

for peer in pytriton litserve bentoml; do
  install_venv "$peer"
done
bash "$bench/setup-ocr.sh"
exit 0
