"""Which exemplars may put color where (correspondence.py, "presence" and "cloth" in its
docstring): the presence test of a retrieved exemplar, and for a retrieved flag or banner the
flag finder's cloth evidence, its cloth cells and the cloth identity test."""

from __future__ import annotations

import torch

from colorizer.pipeline.cell_matches import CellMatches
from colorizer.pipeline.cloth_identity import exemplar_fields, identity_weights
from colorizer.pipeline.transfer import TransferConfig, resize_cells

COLORED_CHROMA = 15.0  # C* from which an exemplar cell counts as colored (not a gray backdrop)


def _presence(similarity: torch.Tensor, chroma: torch.Tensor, config: TransferConfig
              ) -> torch.Tensor:
    """Share of an exemplar's colored cells whose best match in the photo is at least
    `presence_similarity` alike: `similarity` (Np, Ne), `chroma` (Ne,) C* of its cells."""
    colored = chroma >= COLORED_CHROMA
    if not bool(colored.any()):  # a black-and-white design: every cell counts
        colored = torch.ones_like(colored)
    found = similarity.max(dim=0).values >= config.presence_similarity
    return (found & colored).sum() / colored.sum()


def _admitted(presence: torch.Tensor, config: TransferConfig) -> torch.Tensor:
    span = config.full_presence - config.min_presence
    return ((presence - config.min_presence) / span).clamp(0, 1)


def cloth_evidence(cloth: torch.Tensor, config: TransferConfig) -> torch.Tensor:
    """() the finder's evidence that the photo shows cloth: the mean probability of its
    `cloth_top_cells` most cloth-like cells (one stray cell is not a flag; a flag of 1% of
    the photo covers ~30 cells at the render size)."""
    flat = cloth.flatten()
    return flat.topk(min(config.cloth_top_cells, flat.numel())).values.mean()


def cloth_cells(cloth: torch.Tensor, size: tuple[int, int], config: TransferConfig
                ) -> torch.Tensor:
    """(h, w) weight of each matching cell from the finder's (1, 1, h', w') probability:
    0 below `min_cloth_cell`, 1 above `full_cloth_cell`."""
    prob = resize_cells(cloth.float(), size)[0, 0]
    span = config.full_cloth_cell - config.min_cloth_cell
    return ((prob - config.min_cloth_cell) / span).clamp(0, 1)


def admission(matches: CellMatches, trusted: list[bool], cloth: torch.Tensor | None,
              cloth_kind: list[bool], config: TransferConfig, lightness: torch.Tensor
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[str | None]]:
    """Each exemplar's (K,) presence, (K,) admission, (K, h, w) region and why it may put
    color nowhere (None: it may): the presence test for retrieved exemplars, the finder's
    evidence, cloth cells and the identity test for cloth ones."""
    h, w = matches.shape
    device = lightness.device
    presence = torch.stack([_presence(sim, ab.norm(dim=1), config)
                            for sim, ab in zip(matches.sims, matches.colors)])
    admitted = torch.where(torch.tensor(trusted, device=presence.device),
                           torch.ones_like(presence), _admitted(presence, config))
    rejected: list[str | None] = [
        None if t or float(a) > 0 else
        f"not found in the photo: {float(p):.2f} of its colored cells matched (below "
        f"min_presence {config.min_presence})" for t, a, p in zip(trusted, admitted, presence)]
    region = torch.ones(len(matches.sims), h, w, device=device)
    if cloth is not None and any(cloth_kind):
        evidence = cloth_evidence(cloth.to(device), config)
        span = config.full_cloth_evidence - config.min_cloth_evidence
        cells = cloth_cells(cloth.to(device), (h, w), config)
        for k in (k for k, c in enumerate(cloth_kind) if c):
            presence[k] = evidence
            admitted[k] = ((evidence - config.min_cloth_evidence) / span).clamp(0, 1)
            region[k] = cells
            if config.cloth_identity:  # only the pieces showing this design's field
                region[k] = cells * _identity(matches, k, cells, lightness, config)
            rejected[k] = _cloth_rejection(float(evidence), float(admitted[k]),
                                           float(cells.max()), float(region[k].max()), config)
            if float(region[k].max()) <= 0 < float(cells.max()):
                presence[k] = 0.0  # cloth is there, this design is not: not found (reported)
    return presence, admitted, region, rejected


def _cloth_rejection(evidence: float, admitted: float, cells: float, region: float,
                     config: TransferConfig) -> str | None:
    """Why a cloth exemplar may put color nowhere, gate by gate (None: somewhere it may)."""
    if admitted <= 0:
        return (f"flag finder: cloth evidence {evidence:.3f} is below min_cloth_evidence "
                f"{config.min_cloth_evidence}")
    if cells <= 0:
        return f"flag finder: no cell reaches min_cloth_cell {config.min_cloth_cell}"
    if region <= 0:
        return (f"cloth identity: the flag finder sees cloth (evidence {evidence:.3f}), but no "
                "piece of it shows this design's field")
    return None


def one_field(matches: CellMatches, k: int, config: TransferConfig) -> bool:
    """Whether exemplar k's design is one field on every film (`cloth_min_field_share`): the
    identity test can vouch only for such designs (a bare wall and its shadows pass for a
    striped flag's fields); other flags keep the presence test."""
    if config.cloth_min_field_share <= 0:
        return True
    fields = exemplar_fields(matches.lightness[k], matches.colors[k], config.identity_band)
    return min(own for own, _ in fields) >= config.cloth_min_field_share


def _identity(matches: CellMatches, k: int, cells: torch.Tensor, lightness: torch.Tensor,
              config: TransferConfig) -> torch.Tensor:
    """(h, w) how well each found piece of cloth fits exemplar k's design (cloth_identity.py)."""
    fields = exemplar_fields(matches.lightness[k], matches.colors[k], config.identity_band)
    return identity_weights(cells, lightness, fields, config.identity_band,
                            config.identity_share_zero, config.identity_share_full,
                            config.identity_tolerance)
