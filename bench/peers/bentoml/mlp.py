"""The MLP for BentoML: one service, one worker holding the onnxruntime session, a batchable API
with adaptive batching (max batch 64; the dispatcher picks the wait itself within the default
max_latency_ms, as in BentoML's documentation). A batchable API takes a batch per request, so the
body is {"features": [[...16]]} (bench/lua/mlp-batch.lua) and the answer a list. Access log off:
the other servers log no line per request. bench/lib/peers.js starts it with `bentoml serve` on
127.0.0.1."""

import os
import sys

import bentoml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import Mlp, mlp_answer, mlp_features  # noqa: E402


@bentoml.service(workers=1, logging={"access": {"enabled": False}})
class MlpService:
    def __init__(self):
        self.mlp = Mlp()

    @bentoml.api(route="/inference", batchable=True, max_batch_size=64)
    def inference(self, features: list[list[float]]) -> list[dict]:
        rows = [mlp_features({"features": row}) for row in features]
        return [mlp_answer(probabilities) for probabilities in self.mlp.run(rows)]
