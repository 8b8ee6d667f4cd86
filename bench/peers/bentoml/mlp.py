"""The MLP for BentoML: one service, one worker holding the onnxruntime session, a batchable API
with adaptive batching (max batch 64, the 1000 ms latency budget of BentoML's documentation
example). A batchable API takes a batch per request, so the body is {"features": [[...16]]}
(bench/lua/mlp-batch.lua) and the answer a list. Started by `bentoml serve` with BENTOML_HOST and
BENTOML_PORT (bench/lib/peers.js)."""

import os
import sys

import bentoml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import Mlp, mlp_answer, mlp_features  # noqa: E402


@bentoml.service(workers=1, logging={"access": {"enabled": False}})
class MlpService:
    def __init__(self):
        self.mlp = Mlp()

    @bentoml.api(route="/inference", batchable=True, max_batch_size=64, max_latency_ms=1000)
    def inference(self, features: list[list[float]]) -> list[dict]:
        rows = [mlp_features({"features": row}) for row in features]
        return [mlp_answer(probabilities) for probabilities in self.mlp.run(rows)]
