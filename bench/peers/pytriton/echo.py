"""The echo pipeline for PyTriton: one model behind Triton's dynamic batcher (max batch 32, 10 ms
max queue delay), one Python instance. Triton speaks its own protocol (KServe v2): POST
/v2/models/echo/infer with the time as an FP32 tensor of shape [1, 1] (bench/lua/triton-echo.lua);
the answer is the msg as a BYTES tensor. HTTP only (no gRPC, no metrics), on 127.0.0.1:PORT."""

import os
import signal
import sys
import sysconfig

import numpy as np
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import echo_answer, echo_time, port  # noqa: E402


@batch
def infer(time):
    # `time` is the batch, [n, 1] float32.
    messages = [echo_answer(echo_time({"time": float(value)}))["msg"].encode() for value in time[:, 0]]
    return {"msg": np.array(messages, dtype=np.bytes_).reshape(-1, 1)}


if __name__ == "__main__":
    # SIGTERM stops the server as Ctrl+C does, through its own shutdown (workers, shared memory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Triton's Python stub must load this interpreter's libpython, not another 3.11 the system has.
    libdir = sysconfig.get_config_var("LIBDIR")
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [libdir, os.environ.get("LD_LIBRARY_PATH")]))
    config = TritonConfig(http_address="127.0.0.1", http_port=port(), allow_grpc=False, allow_metrics=False)
    with Triton(config=config) as triton:
        triton.bind(
            model_name="echo",
            infer_func=infer,
            inputs=[Tensor(name="time", dtype=np.float32, shape=(1,))],
            outputs=[Tensor(name="msg", dtype=bytes, shape=(1,))],
            config=ModelConfig(max_batch_size=32, batcher=DynamicBatcher(max_queue_delay_microseconds=10_000)),
        )
        triton.serve()
