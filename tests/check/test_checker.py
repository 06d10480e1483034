"""ColorizationChecker with the real context and retrieval: a blue "Soviet flag"
contradicts the retrieved facts, a red one does not; a changed lightness is reported.

The flag finder's weights are replaced by a stub that marks a known box as cloth, so the
test asserts the check's own logic on real context, retrieval and generator outputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from colorizer.check.checker import CheckInputError, ColorizationChecker

BOX = (0.25, 0.2, 0.75, 0.7)  # x0, y0, x1, y1 as shares of the image: the "flag"


class BoxFinder(nn.Module):
    """Cloth probability 1 inside BOX, 0 elsewhere, on the stride-8 grid."""

    def forward(self, features: dict[int, torch.Tensor]) -> torch.Tensor:
        h, w = features[8].shape[-2:]
        out = torch.zeros(1, 1, h, w)
        out[..., round(BOX[1] * h):round(BOX[3] * h), round(BOX[0] * w):round(BOX[2] * w)] = 1
        return out


@pytest.fixture(scope="module")
def checker(shared_tiny_weights):
    """The tiny generator with the real context encoder and retriever (as test_pipeline's
    full_pipe): the knowledge check reads context, retrieval and the finder, not the colors."""
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    render_size=128)
    return ColorizationChecker(pipeline, BoxFinder())


def scene(flag_ab: tuple[float, float]) -> tuple[Image.Image, Image.Image]:
    """A gray street-like photo with a mid-gray rectangle; colorized with the rectangle given
    `flag_ab` and the rest left neutral."""
    from eval.check.cases import image_of

    rng = np.random.default_rng(3)
    h, w = 192, 256
    lab = np.zeros((h, w, 3))
    lab[..., 0] = 55 + rng.normal(0, 6, (h, w)) + np.linspace(-15, 15, w)[None, :]
    y0, y1, x0, x1 = (round(BOX[1] * h), round(BOX[3] * h), round(BOX[0] * w),
                      round(BOX[2] * w))
    lab[y0:y1, x0:x1, 0] = 42 + rng.normal(0, 2, (y1 - y0, x1 - x0))
    lab[y0:y1, x0:x1, 1:] = flag_ab
    lab[..., 0] = np.clip(lab[..., 0], 0, 100)
    color = image_of(lab)
    gray = color.convert("L")
    return color, gray


def test_blue_soviet_flag_is_a_knowledge_finding_red_is_not(checker):
    blue, gray = scene((12.0, -42.0))
    red, _ = scene((58.0, 42.0))
    wrong = checker(blue, original=gray, hint="USSR 1950")
    right = checker(red, original=gray, hint="USSR 1950")
    assert {f.id for f in wrong.facts} >= {"ussr_state_flag"}
    knowledge = [f for f in wrong.findings if f.kind == "knowledge"]
    assert knowledge and knowledge[0].evidence["seen"] == "blue"
    assert any("wikipedia" in s for s in knowledge[0].evidence["sources"])
    x0, _, _, y1 = knowledge[0].box
    assert abs(x0 - 64) <= 8 and abs(y1 - 134) <= 8  # the flag's box in the image's pixels
    assert not [f for f in right.findings if f.kind == "knowledge"]
    assert wrong.luminance is not None and wrong.luminance.matches


def test_no_hint_no_facts_no_knowledge_finding(checker):
    blue, gray = scene((12.0, -42.0))
    report = checker(blue, original=gray)
    assert not [f for f in report.findings if f.kind == "knowledge"]


@pytest.mark.slow
def test_lightness_changed_is_reported_and_other_shapes_refused(checker):
    red, gray = scene((58.0, 42.0))
    darker = gray.point(lambda v: max(0, v - 40))
    report = checker(red, original=darker, hint="USSR 1950")
    assert report.findings[0].kind == "luminance"
    assert report.luminance.mean_abs > 10 and not report.luminance.matches
    with pytest.raises(CheckInputError, match="shapes differ"):
        checker(red, original=gray.resize((100, 200)))
    with pytest.raises(CheckInputError, match="has no color"):
        checker(gray)


def test_our_own_gray_output_is_checked_not_refused(checker):
    """The model can leave a photo gray (no evidence for any color); the report of our own
    output must still be made: only the lightness can be wrong, and a note says why."""
    _, gray = scene((0.0, 0.0))
    report = checker(gray.convert("RGB"), original=gray, hint="USSR 1950", gray_ok=True)
    assert report.luminance is not None and report.luminance.matches
    assert not [f for f in report.findings if f.kind == "luminance"]
    assert any("has no color" in note for note in report.notes)


@pytest.mark.slow
def test_a_gray_colorization_with_its_original_is_checked(checker):
    """`chronochrome check out.png --original photo.jpg` on a colorization that came out gray
    checks its lightness (a user checking our output, or anyone's), also beside a tinted
    (sepia) original; a gray image alone is refused (nothing to check)."""
    _, gray = scene((58.0, 42.0))
    report = checker(gray.convert("RGB"), original=gray, hint="USSR 1950")
    assert report.luminance is not None and report.luminance.matches
    assert any("has no color" in note for note in report.notes)
    darker = gray.point(lambda v: max(0, v - 40))
    assert checker(darker.convert("RGB"), original=gray).findings[0].kind == "luminance"
    with pytest.raises(CheckInputError, match="nothing to check"):
        checker(gray.convert("RGB"))
    sepia = Image.merge("RGB", (gray, gray.point(lambda v: v * 0.95),
                                gray.point(lambda v: v * 0.85)))
    report = checker(gray.convert("RGB"), original=sepia)
    assert any("has no color" in note for note in report.notes)
