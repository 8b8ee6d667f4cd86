"""all-MiniLM-L6-v2 as sentence-transformers runs it, on onnxruntime and HF `tokenizers`: the model
directory's tokenizer.json truncating to the model's 256 tokens (its file says 128), the ONNX graph,
mean pooling over the attention mask, L2 normalisation. The model directory is MOSEC_EMBEDDING_MODEL
(Hugging Face layout: tokenizer.json, onnx/model.onnx), by default the project's models/all-MiniLM-L6-v2."""

import os
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import onnx_session  # noqa: E402

NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
ROOT = Path(__file__).resolve().parents[3]
MODEL_DIR = Path(os.environ.get("MOSEC_EMBEDDING_MODEL", ROOT / "models" / NAME))


class MiniLM:
    def __init__(self):
        self.tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        self.session = onnx_session(str(MODEL_DIR / "onnx" / "model.onnx"))

    def embed(self, texts):
        """Unit vectors [len(texts), 384] float32 and each text's token count (after truncation)."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self.session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        vectors = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors.astype(np.float32), [int(count) for count in mask.sum(axis=1)]
