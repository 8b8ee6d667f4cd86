"""Renders text pages as PNG with PIL's default font at 28 px, black on white, one line every 40 px.

    python pages.py OUT_DIR < pages.json      # {"name": ["line", ...], ...} -> OUT_DIR/name.png
"""

import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = 28
LINE_HEIGHT = 40
MARGIN = 24


def render(lines):
    font = ImageFont.load_default(size=FONT_SIZE)
    width = max(int(font.getlength(line)) for line in lines) + 2 * MARGIN
    page = Image.new("RGB", (width, len(lines) * LINE_HEIGHT + 2 * MARGIN), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + i * LINE_HEIGHT), line, fill="black", font=font)
    return page


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in json.load(sys.stdin).items():
        render(lines).save(out / f"{name}.png")
