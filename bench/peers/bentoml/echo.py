"""The echo pipeline for BentoML: one service, one worker, a batchable API with adaptive
batching (max batch 32; the dispatcher picks the wait itself within the default max_latency_ms, as
in BentoML's documentation). A batchable API takes a batch per request, so the body is
{"time": [0]} (bench/lua/echo-batch.lua) and the answer a list. Access log off: the other servers
log no line per request. bench/lib/peers.js starts it with `bentoml serve` on 127.0.0.1."""

import os
import sys

import bentoml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import echo_answer, echo_time  # noqa: E402


@bentoml.service(workers=1, logging={"access": {"enabled": False}})
class Echo:
    @bentoml.api(route="/inference", batchable=True, max_batch_size=32)
    def inference(self, time: list[int | float]) -> list[dict]:
        return [echo_answer(echo_time({"time": value})) for value in time]
