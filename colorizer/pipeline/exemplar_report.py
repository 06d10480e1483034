"""What each exemplar contributed to one colorization, as the result reports it."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from colorizer.pipeline.guidance import GuidingExemplar
from retrieval.types import RetrievedExemplar


def attention_shares(attention: torch.Tensor, count: int, shape: tuple[int, int]
                     ) -> tuple[list[float], list[np.ndarray]]:
    """Per exemplar slot (share, (h, w) mass map) from the generator's per-exemplar
    cross-attention mass (A, h, w) of the first A (attended, the user's) exemplars; the
    others (retrieved ones, which act only through the direct transfer) get 0 and an empty
    map."""
    shares, maps = [], []
    for k in range(count):
        if k >= attention.shape[0]:
            shares.append(0.0)
            maps.append(np.zeros(shape, dtype=np.float32))
            continue
        mass = attention[k].float()
        shares.append(round(float(mass.mean()), 4))
        maps.append(mass.cpu().numpy().astype(np.float32))
    return shares, maps


def exemplar_records(used: tuple[GuidingExemplar, ...], shares: list[float],
                     moved: list[float], contributed: list[float], found: list[float | None],
                     retrieved: list[RetrievedExemplar]) -> list[dict[str, Any]]:
    """Every exemplar, used ones first with their shares, then retrieved ones that did not fit
    into the slots (listed so a historian sees what else matched).

    attention_share: mean cross-attention mass on the exemplar's tokens (what the generator
    looked up); transfer_share: the share of the image's color copied from it by the direct
    transfer; color_share: both together, the share of the image's color it contributed;
    found_in_photo: the share of the exemplar's colored cells that the transfer found in the
    photo (a retrieved exemplar transfers only when its object is there; None: transfer off).
    """
    out = [{**rec.to_dict(), "used": True, "attention_share": share, "transfer_share": move,
            "color_share": total, "found_in_photo": presence}
           for rec, share, move, total, presence in zip(used, shares, moved, contributed, found)]
    used_ids = {rec.id for rec in used}
    out += [{**rec.to_dict(), "used": False, "attention_share": None, "transfer_share": None,
             "color_share": None, "found_in_photo": None}
            for rec in retrieved if rec.id not in used_ids]
    return out
