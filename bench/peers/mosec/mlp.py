"""The MLP of examples/mlp written for Python mosec: three stages as ours (check the features, run
the model on batches of up to 64 with a 10 ms wait, pick the class). Port and address come from
MOSEC_PORT and MOSEC_ADDRESS, as for our servers."""

import os
import sys

from mosec import Server, ValidationError, Worker

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import Mlp, mlp_answer, mlp_features  # noqa: E402


class Preprocess(Worker):
    def forward(self, data: dict) -> list:
        try:
            return mlp_features(data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class Inference(Worker):
    example = [[0.0] * 16] * 64

    def __init__(self):
        super().__init__()
        self.mlp = Mlp()

    def forward(self, data: list) -> list:
        return list(self.mlp.run(data))


class Postprocess(Worker):
    def forward(self, data) -> dict:
        return mlp_answer(data)


if __name__ == "__main__":
    server = Server()
    server.append_worker(Preprocess)
    server.append_worker(Inference, max_batch_size=64, max_wait_time=10)
    server.append_worker(Postprocess)
    server.run()
