"""Training batches with exemplars: flags pasted with their masks, slots and context tokens."""

import numpy as np
import torch

from colorizer.model.conditioning import exemplar_tensor
from colorizer.training.data import PhotoBank
from colorizer.training.exemplar_data import (
    ConditionedBatches,
    ExemplarMix,
    ExemplarSource,
    _flag_render,
    _paste,
)
from retrieval.types import NamedColor

RED = (NamedColor("red", "#CC0000"), NamedColor("white", "#FFFFFF"))
BLUE = (NamedColor("blue", "#0033AA"), NamedColor("yellow", "#FFCC00"))
STRIPES = {"stripes": {"dir": "h", "colors": ["red", "white"]}}
BLUE_STRIPES = {"stripes": {"dir": "v", "colors": ["blue", "yellow"]}}


def _source() -> ExemplarSource:
    flags = [_flag_render(0, STRIPES, RED, f"red#{v}", 32) for v in range(2)]
    flags += [_flag_render(1, BLUE_STRIPES, BLUE, f"blue#{v}", 32) for v in range(2)]
    return ExemplarSource(records=["red flag", "blue flag"], flags=flags, swatches=[],
                          eras=torch.tensor([[1923.0, 1991.0], [1900.0, 1910.0]]),
                          texts=torch.eye(2, 4))


def test_flag_mask_covers_the_cloth_not_the_ground():
    render = _flag_render(0, STRIPES, RED, "red#0", 32)
    assert render.rgb.shape[:2] == render.mask.shape and render.exemplar.shape == (3, 32, 32)
    cloth = render.rgb[render.mask > 0.9]
    # The top stripe is red: inside the mask, red dominates green where the cloth is red.
    assert (cloth[:, 0] - cloth[:, 1] > 0.3).mean() > 0.3
    assert 0.6 < float((render.mask > 0.5).mean()) <= 1.0  # cropped to the cloth


def test_paste_changes_only_a_part_of_the_photo():
    render = _flag_render(0, STRIPES, RED, "red#0", 32)
    photo = torch.full((3, 64, 64), 0.5)
    g = torch.Generator().manual_seed(0)
    out, mask = _paste(photo, render, g)
    changed = (out - photo).abs().sum(0) > 0.05
    assert 0.03 < float(changed.float().mean()) < 0.8
    # The returned mask is where the cloth went: nothing changed outside it.
    assert mask.shape == (1, 64, 64)
    assert not bool((changed & (mask[0] == 0)).any())
    assert float((mask[0] > 0.5).float().mean()) > 0.5 * float(changed.float().mean())


def test_batches_hold_slots_masks_and_context():
    rng = np.random.default_rng(0)
    bank = PhotoBank(images=[(rng.random((48, 64, 3)) * 255).astype(np.uint8) for _ in range(3)],
                     paths=[])
    batches = ConditionedBatches(bank, _source(), ExemplarMix(flag=1.0, self_view=0.0, other=0.0,
                                                              context_keep=1.0), 32)
    rgb, cond, flags = batches.batch(6, 48, torch.Generator().manual_seed(3))
    assert rgb.shape == (6, 3, 48, 48) and cond.exemplars.shape == (6, 3, 3, 32, 32)
    assert flags.shape == (6, 1, 48, 48) and bool((flags.flatten(1).amax(1) > 0.5).all())
    assert cond.exemplar_mask.shape == (6, 3) and cond.exemplar_mask.any()
    # Every flag sample keeps its flag's era and text when context_keep is 1.
    assert cond.era_mask.all() and cond.text_mask.all()
    assert set(map(tuple, cond.era.tolist())) <= {(1923.0, 1991.0), (1900.0, 1910.0)}
    # Padded slots are zeros and masked.
    empty = ~cond.exemplar_mask
    assert float(cond.exemplars[empty].abs().sum()) == 0


def test_self_view_is_the_same_photo():
    img = np.zeros((40, 40, 3), np.uint8)
    img[..., 2] = 200  # a blue photo
    bank = PhotoBank(images=[img], paths=[])
    batches = ConditionedBatches(bank, _source(), ExemplarMix(flag=0.0, self_view=1.0, other=0.0,
                                                              context_noise=0.0), 32)
    _, cond, flags = batches.batch(2, 32, torch.Generator().manual_seed(0))
    assert float(flags.abs().sum()) == 0  # no flag pasted into self-view samples
    first = cond.exemplars[:, 0]
    assert torch.allclose(first.mean((2, 3)), exemplar_tensor_mean(img), atol=0.02)
    assert not cond.era_mask.any()


def exemplar_tensor_mean(img: np.ndarray) -> torch.Tensor:
    from PIL import Image

    return exemplar_tensor(Image.fromarray(img), 32).mean((1, 2))


def test_rotate_hue_keeps_lightness_and_turns_red_to_another_hue():
    from colorizer.model.colorspace import rgb_to_lab
    from colorizer.training.exemplar_data import rotate_hue

    red = torch.zeros(3, 4, 4)
    red[0] = 0.8
    red[1:] = 0.1
    turned = rotate_hue(red, 3.14159)  # half a turn: red -> cyan-green
    lab, lab_t = rgb_to_lab(red[None]), rgb_to_lab(turned[None])
    assert torch.allclose(lab[:, 0], lab_t[:, 0], atol=0.05)
    assert float(lab_t[0, 1].mean()) < 0 < float(lab[0, 1].mean())
    assert torch.equal(rotate_hue(red, 0.0), red)
