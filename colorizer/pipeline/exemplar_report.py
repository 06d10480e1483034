"""What each exemplar contributed to one colorization, as the result reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from colorizer.pipeline.guidance import GuidingExemplar
from colorizer.pipeline.short_repr import clipped
from retrieval.types import RetrievedExemplar

REASON_SHOWN = 100  # characters of `rejected` in the repr (the gate and its numbers)


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


@dataclass(frozen=True)
class ExemplarUse:
    """One exemplar in a result: what it is (the user's photo or a retrieved record) and what
    it contributed to this colorization.

    attention_share: mean cross-attention mass on the exemplar's tokens (what the generator
    looked up); transfer_share: the share of the image's color copied from it by the direct
    transfer; color_share: both together, the share of the image's color it contributed;
    found_in_photo: the share of the exemplar's colored cells that the transfer found in the
    photo (a retrieved exemplar transfers only when its object is there; None: transfer off);
    for a retrieved flag or banner the flag finder's evidence of cloth, and 0 when the cloth
    it sees is not this design's (the identity or lightness test rejected every piece).
    All four are None for an exemplar that matched but did not fit into the slots.
    rejected: why a retrieved exemplar that was tested put no color anywhere: the gate and its
    numbers ("cloth identity: the flag finder sees cloth (evidence 1.000), but no piece of it
    shows this design's field"); None when it was free to (or was not tested).
    colored (in to_dict): it put color somewhere (used, not rejected, color_share > 0).
    """

    exemplar: GuidingExemplar
    used: bool
    attention_share: float | None = None
    transfer_share: float | None = None
    color_share: float | None = None
    found_in_photo: float | None = None
    rejected: str | None = None

    @property
    def id(self) -> str:
        return self.exemplar.id

    @property
    def colored(self) -> bool:
        """Whether it put color anywhere in this photo (`used` only says it was tested)."""
        return self.used and not self.rejected and (self.color_share or 0.0) > 0.0

    @property
    def kind(self) -> str:
        return self.exemplar.kind

    @property
    def title(self) -> str:
        return self.exemplar.title

    def __repr__(self) -> str:
        # The generated repr printed the whole record (description, license, colors, regions,
        # scores): 3,443 characters for two exemplars in a notebook cell. to_dict has it all.
        return (f"ExemplarUse(id={self.id!r}, kind={self.kind!r}, title={clipped(self.title)}, "
                f"used={self.used}, color_share={self.color_share}, "
                f"rejected={clipped(self.rejected, REASON_SHOWN)})")

    def to_dict(self) -> dict[str, Any]:
        return {**self.exemplar.to_dict(), "used": self.used, "colored": self.colored,
                "attention_share": self.attention_share, "transfer_share": self.transfer_share,
                "color_share": self.color_share, "found_in_photo": self.found_in_photo,
                "rejected": self.rejected}


def exemplar_records(used: tuple[GuidingExemplar, ...], shares: list[float],
                     moved: list[float], contributed: list[float], found: list[float | None],
                     retrieved: list[RetrievedExemplar],
                     rejected: list[str | None] | None = None) -> list[ExemplarUse]:
    """Every exemplar, used ones first with their shares, then retrieved ones that did not fit
    into the slots (listed so a historian sees what else matched)."""
    why = rejected or [None] * len(used)
    out = [ExemplarUse(rec, True, share, move, total, presence, reason)
           for rec, share, move, total, presence, reason
           in zip(used, shares, moved, contributed, found, why)]
    used_ids = {rec.id for rec in used}
    out += [ExemplarUse(rec, False) for rec in retrieved if rec.id not in used_ids]
    return out
