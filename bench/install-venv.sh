#!/usr/bin/env bash
# Makes the venv bench/.venvs/<peer> from the pinned bench/peers/<peer>/requirements.txt, only when it
# is missing or its requirements changed (a copy is kept as its stamp, written last). A failure is
# not fatal: the benchmark skips that peer and says so. pip's cache is not used: it keys a wheel built from
# source by its version alone, so a build with other cmake arguments (llama-cpp) would be taken from it.
set -u

bench="$(cd "$(dirname "$0")" && pwd)"
peer="$1"
venv="$bench/.venvs/$peer"
requirements="$bench/peers/$peer/requirements.txt"

if cmp -s "$requirements" "$venv/.installed"; then exit 0; fi
echo "bench setup: installing $peer into bench/.venvs/$peer"
started=$SECONDS
rm -rf "$venv"
if python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir -r "$requirements"; then
  cp "$requirements" "$venv/.installed"
  echo "bench setup: $peer installed in $((SECONDS - started)) s, $(du -sh "$venv" | cut -f1)"
else
  rm -rf "$venv"
  echo "bench setup: could not install $peer; it is skipped" >&2
fi
exit 0
