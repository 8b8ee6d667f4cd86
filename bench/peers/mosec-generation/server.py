"""The generation benchmark's mosec reference: SmolLM2-135M-Instruct's converted graph on onnxruntime
and HF `tokenizers` (greedy.py) behind Python mosec, streamed with mosec's SSE (an SSEWorker) and
batched by its dynamic batching (up to 8 requests, 10 ms wait): each batch is generated to its end
before the next one starts, which is how mosec streams. POST /v1/chat/completions takes OpenAI's
body (messages, max_tokens or max_completion_tokens, logit_bias, and vLLM's ignore_eos) and answers
`chat.completion.chunk` events, the last with finish_reason and usage, then `data: [DONE]`; greedy
only. Port, address and threads come from MOSEC_PORT, MOSEC_ADDRESS and MOSEC_ONNX_THREADS."""

import json
import time
import uuid

from greedy import NAME, CausalModel
from mosec import Runtime, Server, SSEWorker, ValidationError

MAX_BATCH = 8
DEFAULT_MAX_TOKENS = 256
ROLES = ("system", "user", "assistant")


def checked(body, model) -> dict:
    """The request's prompt ids and limits, or ValidationError for what OpenAI would refuse."""
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValidationError("messages must be a non-empty array")
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content"), str):
            raise ValidationError("each message needs a role (system, user or assistant) and a string content")
    if body.get("model", NAME) != NAME:
        raise ValidationError(f"model must be {NAME}")
    limit = body.get("max_completion_tokens", body.get("max_tokens", DEFAULT_MAX_TOKENS))
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError("max_tokens must be a positive integer")
    bias = body.get("logit_bias") or {}
    if not isinstance(bias, dict) or not all(isinstance(v, (int, float)) and -100 <= v <= 100 for v in bias.values()):
        raise ValidationError("logit_bias maps token ids to numbers from -100 to 100")
    bias = {int(token): float(value) for token, value in bias.items()}
    if body.get("ignore_eos"):
        bias[model.eos] = -1e9
    prompt = model.chat_prompt(messages)
    if len(prompt) + limit > model.context:
        raise ValidationError(f"the prompt ({len(prompt)} tokens) and max_tokens exceed the context of {model.context}")
    return {"prompt": prompt, "limit": limit, "bias": bias}


class TextStream:
    """A row's text as it grows: the new characters since the last call, held back while the tokens
    end inside a multi-byte character."""

    def __init__(self, tokenizer):
        self.tokenizer, self.ids, self.sent = tokenizer, [], 0

    def push(self, token) -> str:
        self.ids.append(token)
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return ""
        fresh, self.sent = text[self.sent :], len(text)
        return fresh


class Generate(SSEWorker):
    def __init__(self):
        super().__init__()
        self.model = CausalModel()

    def deserialize(self, data: bytes) -> dict:
        try:
            body = json.loads(data)
        except ValueError as error:
            raise ValidationError(f"not JSON: {error}") from error
        return checked(body, self.model)

    def forward(self, requests: list) -> list:
        ident = [f"chatcmpl-{uuid.uuid4().hex}" for _ in requests]
        created = int(time.time())
        streams = [TextStream(self.model.tokenizer) for _ in requests]
        counts = [0] * len(requests)

        def chunk(row, delta, finish=None, usage=None):
            body = {"id": ident[row], "object": "chat.completion.chunk", "created": created, "model": NAME,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if usage:
                body["usage"] = usage
            self.send_stream_event(json.dumps(body), index=row)

        def on_token(row, token):
            if counts[row] == 0:
                chunk(row, {"role": "assistant", "content": ""})
            counts[row] += 1
            text = streams[row].push(token)
            if text:
                chunk(row, {"content": text})
            if counts[row] == requests[row]["limit"] or token == self.model.eos:
                prompt = len(requests[row]["prompt"])
                usage = {"prompt_tokens": prompt, "completion_tokens": counts[row], "total_tokens": prompt + counts[row]}
                chunk(row, {}, "length" if token != self.model.eos else "stop", usage)
                self.send_stream_event("[DONE]", index=row)

        self.model.generate(
            [request["prompt"] for request in requests],
            [request["limit"] for request in requests],
            on_token,
            [request["bias"] for request in requests],
        )
        return requests  # mosec ignores what an SSE worker returns

    def serialize(self, data) -> bytes:
        return b""


if __name__ == "__main__":
    server = Server()
    server.register_runtime({"/v1/chat/completions": [Runtime(Generate, max_batch_size=MAX_BATCH, max_wait_time=10)]})
    server.run()
