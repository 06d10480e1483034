"""What the hint tests share: `python -m context` run as a user runs it, and an encoder that
reads hints only (no OCR, no embedder, no CLIP)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from context.config import ContextConfig
from context.encoder import ContextEncoder

REPO = Path(__file__).resolve().parents[1]


def context_cli(hint: str) -> dict:
    """`python -m context --no-embedding --hint HINT`, as a user runs it: its JSON."""
    done = subprocess.run([sys.executable, "-m", "context", "--no-embedding", "--indent", "0",
                           "--hint", hint], capture_output=True, text=True, timeout=300,
                          cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def hints_encoder() -> ContextEncoder:
    """Hints only: no OCR, no embedder, no CLIP."""
    return ContextEncoder(ContextConfig(use_ocr=False, embed=False))


def region_name(encoder: ContextEncoder, hint: str) -> str | None:
    """The region `encoder` reads from `hint` alone, by name (None: no region)."""
    region = encoder(None, hint=hint).region
    return region.name if region else None


def era_reading(encoder: ContextEncoder, hint: str) -> tuple | None:
    """(start, end, confidence to 2 places, whether its evidence says it may be an age) of
    the era `encoder` reads from `hint` alone; None: no era."""
    era = encoder(None, hint=hint).era
    if era is None:
        return None
    maybe_age = any("may be an age" in e.what for e in era.evidence)
    return era.start, era.end, round(era.confidence, 2), maybe_age
