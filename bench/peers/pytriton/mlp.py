"""The MLP for PyTriton: one model behind Triton's dynamic batcher (max batch 64, 10 ms max queue
delay), one Python instance holding the onnxruntime session. Triton speaks its own protocol
(KServe v2): POST /v2/models/mlp/infer with the features as an FP32 tensor of shape [1, 16]
(bench/lua/triton-mlp.lua); the answer holds `probabilities` [1, 10] and `label` [1, 1] tensors.
serve.py starts Triton, HTTP only, on 127.0.0.1:PORT."""

import os
import sys

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import Tensor

from serve import serve  # the folder of this script is on the path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import FEATURES, Mlp, port  # noqa: E402

mlp = Mlp()


@batch
def infer(features):
    probabilities = mlp.run(features)
    return {"probabilities": probabilities, "label": probabilities.argmax(axis=1).reshape(-1, 1).astype(np.int64)}


if __name__ == "__main__":
    serve(
        "mlp",
        infer,
        inputs=[Tensor(name="features", dtype=np.float32, shape=(FEATURES,))],
        outputs=[
            Tensor(name="probabilities", dtype=np.float32, shape=(10,)),
            Tensor(name="label", dtype=np.int64, shape=(1,)),
        ],
        max_batch_size=64,
        port=port(),
    )
