#!/usr/bin/env bash
# The OCR comparison's reference (node bench/ocr.js): RapidOCR and Python mosec in bench/.venvs/rapidocr,
# from the pinned bench/peers/rapidocr/requirements.txt. Made only when missing or when the
# requirements changed (a copy is kept as its stamp, written last); a failure is not fatal.
set -u

bench="$(cd "$(dirname "$0")" && pwd)"
venv="$bench/.venvs/rapidocr"
requirements="$bench/peers/rapidocr/requirements.txt"

if cmp -s "$requirements" "$venv/.installed"; then exit 0; fi
echo "bench setup: installing RapidOCR and mosec into bench/.venvs/rapidocr"
rm -rf "$venv"
if python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"; then
  cp "$requirements" "$venv/.installed"
else
  rm -rf "$venv"
  echo "bench setup: could not install RapidOCR; node bench/ocr.js will not run" >&2
fi
exit 0
