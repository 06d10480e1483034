"""`PhraseTable`: sentence embeddings computed earlier (by colorizer.training.pack, where
MiniLM is), answered from a table on a machine without MiniLM. Its own module so that the
trainer (train.py) and the packer (pack.py, which imports the trainer's config) do not import
each other."""

from __future__ import annotations

import numpy as np
import torch


class PhraseTable:
    """A TextEmbedder that answers from sentences embedded earlier (MiniLM's, by pack)."""

    def __init__(self, table: dict[str, torch.Tensor], name: str = "phrase-table"):
        self.table, self.name = table, name
        self.dim = next(iter(table.values())).numel() if table else 0
        self.asked: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.table]
        if missing:
            raise KeyError(f"{len(missing)} sentence(s) were not packed, e.g. {missing[0]!r}: "
                           "re-run python -m colorizer.training.pack")
        return torch.stack([self.table[t] for t in texts]).numpy()
