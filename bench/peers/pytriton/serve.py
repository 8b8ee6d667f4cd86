"""How both PyTriton servers start: one model behind Triton's dynamic batcher with a 10 ms max queue
delay, HTTP only (no gRPC, no metrics), on 127.0.0.1:PORT."""

import os
import signal
import sysconfig

from pytriton.model_config import DynamicBatcher, ModelConfig
from pytriton.triton import Triton, TritonConfig


def serve(model_name, infer_func, inputs, outputs, max_batch_size, port):
    # SIGTERM stops the server as Ctrl+C does, through its own shutdown (workers, shared memory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Triton's Python stub must load this interpreter's libpython, not another 3.11 the system has.
    libdir = sysconfig.get_config_var("LIBDIR")
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [libdir, os.environ.get("LD_LIBRARY_PATH")]))
    config = TritonConfig(http_address="127.0.0.1", http_port=port, allow_grpc=False, allow_metrics=False)
    with Triton(config=config) as triton:
        triton.bind(
            model_name=model_name,
            infer_func=infer_func,
            inputs=inputs,
            outputs=outputs,
            config=ModelConfig(max_batch_size=max_batch_size, batcher=DynamicBatcher(max_queue_delay_microseconds=10_000)),
        )
        triton.serve()
