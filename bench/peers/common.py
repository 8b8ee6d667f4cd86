"""What every Python server of the benchmark shares: the echo answer and the MLP session, loaded as
the Node service loads it (the file in MLP_MODEL_PATH, MOSEC_ONNX_THREADS intra-op threads, one
inter-op thread, sequential execution, all graph optimisations), so only the serving differs."""

import os

FEATURES = 16


def port() -> int:
    return int(os.environ.get("PORT", "8000"))


def echo_time(body) -> float:
    """The echo request's `time`, checked as examples/echo checks it."""
    value = body.get("time") if isinstance(body, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ValueError("time must be a non-negative number")
    return value


def echo_answer(seconds: float) -> dict:
    return {"msg": f"sleep {seconds} seconds"}


def mlp_features(body) -> list:
    """The MLP request's 16 features, checked as examples/mlp checks them."""
    features = body.get("features") if isinstance(body, dict) else None
    if not isinstance(features, list) or len(features) != FEATURES:
        raise ValueError(f"features must be an array of {FEATURES} numbers")
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in features):
        raise ValueError("features must be numbers")
    return features


def onnx_session(path: str):
    """An onnxruntime session on the CPU with the Node service's options: MOSEC_ONNX_THREADS intra-op
    threads, one inter-op thread, sequential execution, all graph optimisations."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("MOSEC_ONNX_THREADS", "2"))
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class Mlp:
    """The benchmark's ONNX MLP: `run(rows)` takes a [batch, 16] float32 array and gives [batch, 10]."""

    def __init__(self):
        self.session = onnx_session(os.environ["MLP_MODEL_PATH"])

    def run(self, rows):
        import numpy as np

        batch = np.asarray(rows, dtype=np.float32).reshape(-1, FEATURES)
        return self.session.run(["probabilities"], {"features": batch})[0]


def mlp_answer(probabilities) -> dict:
    return {"label": int(probabilities.argmax()), "probabilities": probabilities.tolist()}
