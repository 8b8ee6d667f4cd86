"""The echo pipeline for LitServe: one LitAPI with batches of up to 32 and a 10 ms batch timeout
(LitServe's own batching, as its documentation shows), one inference worker, one API server."""

import os
import signal
import sys

import litserve as ls
from fastapi import HTTPException

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import echo_answer, echo_time, port  # noqa: E402


class Echo(ls.LitAPI):
    def setup(self, device):
        pass

    def decode_request(self, request):
        try:
            return echo_time(request)
        except ValueError as error:
            raise HTTPException(422, str(error)) from error

    def predict(self, batch):
        return batch

    def unbatch(self, output):
        return output

    def encode_response(self, output):
        return echo_answer(output)


if __name__ == "__main__":
    # SIGTERM stops the server as Ctrl+C does, through its own shutdown (workers, shared memory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    api = Echo(max_batch_size=32, batch_timeout=0.01, api_path="/inference")
    server = ls.LitServer(api, accelerator="cpu", workers_per_device=1)
    server.run(host="127.0.0.1", port=port(), generate_client_file=False, log_level="warning")
