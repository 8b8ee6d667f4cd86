"""The echo pipeline for PyTriton: one model behind Triton's dynamic batcher (max batch 32, 10 ms
max queue delay), one Python instance. Triton speaks its own protocol (KServe v2): POST
/v2/models/echo/infer with the time as an FP32 tensor of shape [1, 1] (bench/lua/triton-echo.lua);
the answer is the msg as a BYTES tensor. serve.py starts Triton, HTTP only, on 127.0.0.1:PORT."""

import os
import sys

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import Tensor

from serve import serve  # the folder of this script is on the path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import echo_answer, echo_time, port  # noqa: E402


@batch
def infer(time):
    # `time` is the batch, [n, 1] float32.
    messages = [echo_answer(echo_time({"time": float(value)}))["msg"].encode() for value in time[:, 0]]
    return {"msg": np.array(messages, dtype=np.bytes_).reshape(-1, 1)}


if __name__ == "__main__":
    serve(
        "echo",
        infer,
        inputs=[Tensor(name="time", dtype=np.float32, shape=(1,))],
        outputs=[Tensor(name="msg", dtype=bytes, shape=(1,))],
        max_batch_size=32,
        port=port(),
    )
