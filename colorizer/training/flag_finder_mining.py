"""Hard negatives for the flag finder (`train_flag_finder.py --hard-negatives N`): the bare
train-split photos a first-round finder takes for cloth, drawn again as flag-free scenes.

The first finder (flag-finder-v1) fired on bare photos: on the benchmark's 30 bare test-split
photos a hint "USSR 1950" turned 0.53% of pixels strongly red. Its negatives were random
photos, half with much red in them; what it confuses with cloth (a sign board, a wall in
raking light, a shaded awning) is rare among those. So: the first-round finder scores fit
photos as the pipeline sees them (the whole photo's L* at 512 px), the most cloth-like ones
are drawn again as flag-free scenes (random crops and films: `make_scene` with no cloth),
and the finder is fitted again with them among its negatives. Only fit photos (the train
split minus the finder's holdout): the held-out scenes and the val split stay unseen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from colorizer.model.flag_finder import FlagFinder
from colorizer.model.generator import ColorGenerator
from colorizer.training.flag_finder_cloth import SCENE_W
from colorizer.training.flag_finder_fit import evidence
from colorizer.training.flag_finder_scenes import Cached, cell_targets, encode_scenes, make_scene


@torch.no_grad()
def photo_evidence(generator: ColorGenerator, finder: FlagFinder, photos: list[Path],
                   top_cells: int) -> np.ndarray:
    """(N,) the finder's evidence on each photo as the pipeline sees it (whole photo, the
    file's L*, long side 512)."""
    from colorizer.pipeline.imageio import load_image
    from colorizer.pipeline.luminance import lightness_at, lightness_of

    out = []
    for path in photos:
        lightness = lightness_at(lightness_of(load_image(path)), SCENE_W)
        out.append(float(evidence(finder(generator.encode(lightness)), top_cells)[0]))
    return np.array(out)


def mine(generator: ColorGenerator, finder: FlagFinder, fit_photos: list[Path],
         probe: int, keep: int, top_cells: int, seed: int) -> list[Path]:
    """The `keep` photos of a random `probe` of `fit_photos` the finder finds most cloth in."""
    rng = np.random.default_rng(seed)
    sample = [fit_photos[i] for i in rng.permutation(len(fit_photos))[:probe]]
    scores = photo_evidence(generator, finder, sample, top_cells)
    order = np.argsort(-scores)[:keep]
    print(f"mined {len(order)} of {len(sample)} photos: evidence {scores[order[-1]]:.3f} to "
          f"{scores[order[0]]:.3f} (median of all {np.median(scores):.3f})", flush=True)
    return [sample[i] for i in order]


def hard_negative_scenes(generator: ColorGenerator, mined: list[Path], others: list[Path],
                         count: int, seed: int, strides: tuple[int, ...]) -> Cached:
    """`count` flag-free scenes drawn from the mined photos (each a few times: other crops
    and films), encoded like the training scenes."""
    rng = np.random.default_rng(seed)
    maps: dict[int, list[torch.Tensor]] = {s: [] for s in strides}
    targets = []
    for start in range(0, count, 32):
        chunk = [make_scene(rng, mined[i % len(mined)], others, [], 0)
                 for i in range(start, min(count, start + 32))]
        encoded = encode_scenes(generator, [s.lightness for s in chunk], strides)
        for s in strides:
            maps[s].append(encoded[s])
        targets += [cell_targets(s.cloth) for s in chunk]
    return Cached({s: torch.cat(v) for s, v in maps.items()}, torch.stack(targets))


def joined(a: Cached, b: Cached) -> Cached:
    """Two encoded scene sets as one."""
    return Cached({s: torch.cat([a.maps[s], b.maps[s]]) for s in a.maps},
                  torch.cat([a.targets, b.targets]))
