"""The echo pipeline of examples/echo written for Python mosec: three stages, num 2/1/1,
batches of up to 32 with a 10 ms wait in the middle. Port and address come from MOSEC_PORT and
MOSEC_ADDRESS, as for our servers."""

import time

from mosec import Server, ValidationError, Worker


class Preprocess(Worker):
    """Reads `time` from the request."""

    example = {"time": 0}

    def forward(self, data: dict) -> float:
        value = data.get("time") if isinstance(data, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ValidationError("time must be a non-negative number")
        return value


class Inference(Worker):
    """Sleeps as long as the longest request of its batch asks."""

    example = [0, 1e-5, 2e-4]

    def forward(self, data: list) -> list:
        seconds = max(data)
        if seconds > 0:
            time.sleep(seconds)
        return data


class Postprocess(Worker):
    def forward(self, data: float) -> dict:
        return {"msg": f"sleep {data} seconds"}


if __name__ == "__main__":
    server = Server()
    server.append_worker(Preprocess, num=2)
    server.append_worker(Inference, max_batch_size=32, max_wait_time=10)
    server.append_worker(Postprocess)
    server.run()
