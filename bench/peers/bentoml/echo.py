"""The echo pipeline for BentoML: one service, one worker, a batchable API with adaptive batching
(max batch 32, the 1000 ms latency budget of BentoML's documentation example). A batchable API takes
a batch per request, so the body is {"time": [0]} (bench/lua/echo-batch.lua) and the answer a list.
Started by `bentoml serve` with BENTOML_HOST and BENTOML_PORT (bench/lib/peers.js)."""

import os
import sys

import bentoml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import echo_answer, echo_time  # noqa: E402


@bentoml.service(workers=1, logging={"access": {"enabled": False}})
class Echo:
    @bentoml.api(route="/inference", batchable=True, max_batch_size=32, max_latency_ms=1000)
    def inference(self, time: list[int | float]) -> list[dict]:
        return [echo_answer(echo_time({"time": value})) for value in time]
