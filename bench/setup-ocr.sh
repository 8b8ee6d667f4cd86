#!/usr/bin/env bash
# The OCR comparison's reference (node bench/ocr.js): RapidOCR and Python mosec in bench/.venvs/rapidocr,
# from the pinned bench/peers/rapidocr/requirements.txt, when missing or changed.
exec bash "$(cd "$(dirname "$0")" && pwd)/install-venv.sh" rapidocr
