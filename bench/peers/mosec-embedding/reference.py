"""The reference vectors of the embedding benchmark: reads a JSON array of texts on stdin, embeds
each one alone (no padding) with minilm.py, and writes {"vectors": [[...]], "tokens": [...]} on stdout."""

import json
import sys

from minilm import MiniLM

if __name__ == "__main__":
    texts = json.load(sys.stdin)
    model = MiniLM()
    vectors, tokens = [], []
    for text in texts:
        vector, (count,) = model.embed([text])
        vectors.append(vector[0].tolist())
        tokens.append(count)
    json.dump({"vectors": vectors, "tokens": tokens}, sys.stdout)
