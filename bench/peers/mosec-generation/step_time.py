"""One decode step of the converted graph in Python's onnxruntime, timed as bench/generation-step.js
times it in Node: a batch of BATCH rows whose caches hold COLUMNS columns, every `present.*` output
fetched (what the mosec loop does), and `logits` alone, taking turns. Prints {"all outputs": ms, "logits only": ms},
the median of RUNS steps each."""

import json
import sys
import time

import numpy as np

from greedy import CausalModel


def main(batch, columns, runs):
    model = CausalModel()
    session = model.session
    feeds = {
        "input_ids": np.full((batch, 1), 100, np.int64),
        "attention_mask": np.ones((batch, columns + 1), np.int64),
        "position_ids": np.full((batch, 1), columns, np.int64),
    }
    random = np.random.default_rng(25)
    for layer in range(model.layers):
        for part in ("key", "value"):
            shape = (batch, model.kv_heads, columns, model.head_dim)
            feeds[f"past_key_values.{layer}.{part}"] = random.standard_normal(shape, dtype=np.float32)
    every = [output.name for output in session.get_outputs()]

    new_columns = ["logits"] + [name for name in every if name.startswith("new_key_values.")]
    modes = {"all outputs": every, "new columns only": new_columns, "logits only": ["logits"]}
    samples = {name: [] for name in modes}
    for names in modes.values():
        session.run(names, feeds)
    # The modes take turns run by run, as in bench/generation-step.js.
    for run in range(runs):
        for i in range(len(modes)):
            name = list(modes)[(run + i) % len(modes)]
            began = time.perf_counter()
            session.run(modes[name], feeds)
            samples[name].append((time.perf_counter() - began) * 1000)
    print(json.dumps({name: float(np.median(values)) for name, values in samples.items()}))


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
