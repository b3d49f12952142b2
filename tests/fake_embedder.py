"""A deterministic stand-in for the embedder, for tests of build and index plumbing."""
from __future__ import annotations

import hashlib

import numpy as np


class FakeEmbedder:
    """Maps each text to a fixed unit vector derived from its hash; counts what it embeds."""

    def __init__(self, name: str = "fake-model@000000000000", dim: int = 16):
        self.name = name
        self.dim = dim
        self.backend = "fake"
        self.token_limit = None  # the chunker then checks against the bundled model's limit
        self.embedded: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Return one unit vector per text and remember the texts."""
        self.embedded += list(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Return the text's unit vector."""
        return self._vector(text)

    def prepare_queries(self) -> None:
        """Nothing to prepare: query vectors come from hashes, not from an export."""

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)
