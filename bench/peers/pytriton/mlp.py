"""The MLP for PyTriton: one model behind Triton's dynamic batcher (max batch 64, 10 ms max queue
delay), one Python instance holding the onnxruntime session. Triton speaks its own protocol
(KServe v2): POST /v2/models/mlp/infer with the features as an FP32 tensor of shape [1, 16]
(bench/lua/triton-mlp.lua); the answer holds `probabilities` [1, 10] and `label` [1, 1] tensors.
HTTP only (no gRPC, no metrics), on 127.0.0.1:PORT."""

import os
import signal
import sys
import sysconfig

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import FEATURES, Mlp, port  # noqa: E402

mlp = Mlp()


@batch
def infer(features):
    probabilities = mlp.run(features)
    return {"probabilities": probabilities, "label": probabilities.argmax(axis=1).reshape(-1, 1).astype(np.int64)}


if __name__ == "__main__":
    # SIGTERM stops the server as Ctrl+C does, through its own shutdown (workers, shared memory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Triton's Python stub must load this interpreter's libpython, not another 3.11 the system has.
    libdir = sysconfig.get_config_var("LIBDIR")
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [libdir, os.environ.get("LD_LIBRARY_PATH")]))
    config = TritonConfig(http_address="127.0.0.1", http_port=port(), allow_grpc=False, allow_metrics=False)
    with Triton(config=config) as triton:
        triton.bind(
            model_name="mlp",
            infer_func=infer,
            inputs=[Tensor(name="features", dtype=np.float32, shape=(FEATURES,))],
            outputs=[
                Tensor(name="probabilities", dtype=np.float32, shape=(10,)),
                Tensor(name="label", dtype=np.int64, shape=(1,)),
            ],
            config=ModelConfig(max_batch_size=64, batcher=DynamicBatcher(max_queue_delay_microseconds=10_000)),
        )
        triton.serve()
