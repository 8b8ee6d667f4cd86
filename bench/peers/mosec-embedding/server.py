"""The embedding benchmark's reference: all-MiniLM-L6-v2 on onnxruntime and HF `tokenizers` (minilm.py)
behind Python mosec, with dynamic batching (up to 32 requests, 10 ms wait) in one worker, at
POST /v1/embeddings on OpenAI's contract: `input` a string or an array of strings, `model`,
`encoding_format` float or base64. Modelled on mosec's own embedding example, which runs one request
per forward. Port, address and threads come from MOSEC_PORT, MOSEC_ADDRESS and MOSEC_ONNX_THREADS."""

import base64
import json

from minilm import NAME, MiniLM
from mosec import ClientError, Runtime, Server, Worker


def texts_of(body) -> list:
    """The request's texts, checked: raises ClientError (400) for anything OpenAI would refuse."""
    if not isinstance(body, dict):
        raise ClientError("the body must be a JSON object")
    if body.get("model") != NAME:
        raise ClientError(f"model must be {NAME}")
    if body.get("encoding_format", "float") not in ("float", "base64"):
        raise ClientError("encoding_format must be float or base64")
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
        raise ClientError("input must be a non-empty string or a non-empty array of them")
    return texts


class Embedding(Worker):
    def __init__(self):
        super().__init__()
        self.model = MiniLM()

    def deserialize(self, data: bytes) -> dict:
        try:
            body = json.loads(data)
        except ValueError as error:
            raise ClientError(f"not JSON: {error}") from error
        return {"texts": texts_of(body), "base64": body.get("encoding_format") == "base64"}

    def forward(self, requests: list) -> list:
        texts = [text for request in requests for text in request["texts"]]
        vectors, tokens = self.model.embed(texts)
        answers, at = [], 0
        for request in requests:
            count = len(request["texts"])
            data = []
            for index in range(count):
                vector = vectors[at + index]
                embedding = base64.b64encode(vector.astype("<f4").tobytes()).decode() if request["base64"] else vector.tolist()
                data.append({"object": "embedding", "index": index, "embedding": embedding})
            used = sum(tokens[at : at + count])
            answers.append({"object": "list", "data": data, "model": NAME, "usage": {"prompt_tokens": used, "total_tokens": used}})
            at += count
        return answers

    def serialize(self, data: dict) -> bytes:
        return json.dumps(data).encode()


if __name__ == "__main__":
    server = Server()
    server.register_runtime({"/v1/embeddings": [Runtime(Embedding, max_batch_size=32, max_wait_time=10)]})
    server.run()
