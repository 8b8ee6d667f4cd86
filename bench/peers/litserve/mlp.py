"""The MLP for LitServe: one LitAPI with batches of up to 64 and a 10 ms batch timeout, one
inference worker holding the onnxruntime session, one API server."""

import os
import signal
import sys

import litserve as ls
from fastapi import HTTPException

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import Mlp, mlp_answer, mlp_features, port  # noqa: E402


class MlpApi(ls.LitAPI):
    def setup(self, device):
        self.mlp = Mlp()

    def decode_request(self, request):
        try:
            return mlp_features(request)
        except ValueError as error:
            raise HTTPException(422, str(error)) from error

    def batch(self, inputs):
        return inputs

    def predict(self, batch):
        return self.mlp.run(batch)

    def unbatch(self, output):
        return list(output)

    def encode_response(self, output):
        return mlp_answer(output)


if __name__ == "__main__":
    # SIGTERM stops the server as Ctrl+C does, through its own shutdown (workers, shared memory).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    api = MlpApi(max_batch_size=64, batch_timeout=0.01, api_path="/inference")
    server = ls.LitServer(api, accelerator="cpu", workers_per_device=1)
    server.run(host="127.0.0.1", port=port(), generate_client_file=False, log_level="warning")
