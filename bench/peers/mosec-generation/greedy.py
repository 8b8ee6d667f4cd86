"""The converted causal language model (onnx/model.onnx with its key/value cache) on onnxruntime and HF
`tokenizers`, in Python: the chat template rendered with jinja2, and a greedy loop over a batch of
prompts, left-padded, that hands each new token to a callback as it is made. The model directory is
MOSEC_GENERATION_MODEL (Hugging Face layout), by default the project's models/SmolLM2-135M-Instruct."""

import json
import os
import sys
from pathlib import Path

import numpy as np
from jinja2.sandbox import ImmutableSandboxedEnvironment
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import onnx_session  # noqa: E402

NAME = "SmolLM2-135M-Instruct"
ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR = Path(os.environ.get("MOSEC_GENERATION_MODEL", ROOT / "models" / NAME))


class CausalModel:
    def __init__(self, model_dir=MODEL_DIR):
        read = lambda name: json.loads((model_dir / name).read_text())  # noqa: E731
        self.config = read("config.json")
        tokenizer_config = read("tokenizer_config.json")
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(
            tokenizer_config["chat_template"]
        )
        self.session = onnx_session(str(model_dir / "onnx" / "model.onnx"))
        self.eos = self.config["eos_token_id"]
        self.pad = self.config.get("pad_token_id") or self.eos
        self.layers = self.config["num_hidden_layers"]
        self.kv_heads = self.config["num_key_value_heads"]
        self.head_dim = self.config.get("head_dim") or self.config["hidden_size"] // self.config["num_attention_heads"]
        self.context = self.config.get("max_position_embeddings", 8192)

    def chat_prompt(self, messages) -> list:
        """The token ids of a chat, ready for the assistant's answer."""
        text = self.template.render(messages=messages, add_generation_prompt=True)
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def generate(self, prompts, limits, on_token, logit_biases=None):
        """Greedy continuation of each prompt (lists of ids), all in one batch until the last one is
        done: row i stops after limits[i] tokens or at the end-of-sequence token, whose bias (a dict
        token id -> added logit, as OpenAI's logit_bias) can forbid it. Calls on_token(row, token)
        for each token made; a finished row is still computed with the others (one batch at a time)."""
        batch = len(prompts)
        longest = max(len(prompt) for prompt in prompts)
        ids = np.full((batch, longest), self.pad, dtype=np.int64)
        mask = np.zeros((batch, longest), dtype=np.int64)
        positions = np.zeros((batch, longest), dtype=np.int64)
        for row, prompt in enumerate(prompts):
            start = longest - len(prompt)
            ids[row, start:] = prompt
            mask[row, start:] = 1
            positions[row, start:] = np.arange(len(prompt))
        next_position = np.array([len(prompt) for prompt in prompts], dtype=np.int64)
        bias = np.zeros((batch, 1), dtype=np.float32)
        if logit_biases and any(logit_biases):
            vocab = self.config["vocab_size"]
            bias = np.zeros((batch, vocab), dtype=np.float32)
            for row, chosen in enumerate(logit_biases):
                for token, value in (chosen or {}).items():
                    bias[row, int(token)] = value
        empty = np.zeros((batch, self.kv_heads, 0, self.head_dim), dtype=np.float32)
        feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": positions}
        for layer in range(self.layers):
            feeds[f"past_key_values.{layer}.key"] = empty
            feeds[f"past_key_values.{layer}.value"] = empty
        outputs_names = ["logits"] + [f"present.{layer}.{part}" for layer in range(self.layers) for part in ("key", "value")]
        made = [0] * batch
        done = [limit <= 0 for limit in limits]
        while not all(done):
            outputs = self.session.run(outputs_names, feeds)
            logits = outputs[0][:, -1, :] + bias
            tokens = logits.argmax(axis=1)
            for row, token in enumerate(tokens):
                if done[row]:
                    continue
                made[row] += 1
                on_token(row, int(token))
                if made[row] >= limits[row] or token == self.eos:
                    done[row] = True
            mask = np.concatenate([mask, np.ones((batch, 1), dtype=np.int64)], axis=1)
            feeds = {"input_ids": tokens.astype(np.int64)[:, None], "attention_mask": mask, "position_ids": next_position[:, None].copy()}
            next_position += 1
            for layer in range(self.layers):
                feeds[f"past_key_values.{layer}.key"] = outputs[1 + 2 * layer]
                feeds[f"past_key_values.{layer}.value"] = outputs[2 + 2 * layer]
