"""Context may change only what it is found to explain: retrieved exemplars that are not in the
photo, and hints that say nothing, leave the output exactly the no-context output."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from retrieval.types import Exemplar, RetrievedExemplar


def _retrieved(ident: str, image_path: str, kind: str = "photo",
               score: float = 0.7) -> RetrievedExemplar:
    """A library hit as the retriever returns it, for an image made by the test."""
    exemplar = Exemplar(ident, kind, ident, 1900, 2000, (), (), "test", "test", image_path)
    return RetrievedExemplar(exemplar, score, {}, (), image_path)


def _textured(h: int, w: int, rgb: tuple[int, int, int], seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 12, (h, w, 1))
    return np.clip(np.array(rgb, dtype=np.float64)[None, None] + noise, 0, 255)


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(image + 0.5, 0, 255).astype(np.uint8), "RGB")


def _retrieving(pipe: ColorizationPipeline, path: str) -> ColorizationPipeline:
    return ColorizationPipeline(
        pipe.generator, pipe.model_info, pipe.config, device="cpu",
        exemplar_fn=lambda context, gray, hints: [_retrieved("flag", path, "flag")])


def test_a_retrieved_exemplar_not_in_the_photo_changes_nothing(tiny_weights, tmp_path):
    flag = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                           _textured(96, 64, (40, 70, 190), 2)], axis=1)
    _pil(flag).save(tmp_path / "flag.png")
    # A smooth gradient: nothing in it looks like the flag's two textured stripes.
    ramp = np.tile(np.linspace(30, 220, 128)[None, :, None], (96, 1, 3))
    photo = _pil(ramp).convert("L")
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)
    plain = pipe(photo)
    retrieved = _retrieving(pipe, str(tmp_path / "flag.png"))(photo)
    record = retrieved.exemplars[0]
    assert record.found_in_photo < 0.3  # the presence test rejects it ...
    assert record.rejected.startswith("not found in the photo:")  # ... and says so
    assert record.attention_share == 0.0  # ... and it is no cross-attention token
    assert np.array_equal(np.asarray(plain.image), np.asarray(retrieved.image))
    assert float(retrieved.context_region.max()) == 0.0


def test_a_found_exemplar_changes_only_its_region(tiny_weights, tmp_path):
    flag = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                           _textured(96, 64, (40, 70, 190), 2)], axis=1)
    _pil(flag).save(tmp_path / "flag.png")
    photo = _pil(flag).convert("L")
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)
    plain = np.asarray(pipe(photo).image, float)
    result = _retrieving(pipe, str(tmp_path / "flag.png"))(photo)
    hinted = np.asarray(result.image, float)
    region = result.context_region
    assert region.shape == plain.shape[:2] and float(region.mean()) > 0.3
    changed = np.abs(hinted - plain).mean(-1)
    # Where the context was not found the output is the no-context output.
    assert changed[region < 0.01].max(initial=0.0) <= 1.0
    assert changed[region > 0.5].mean() > 5


def test_a_hint_without_era_or_place_is_reported_and_not_used(tiny_weights):
    from context import ContextConfig

    seen: list[str | None] = []
    pipe = ColorizationPipeline.from_pretrained(
        tiny_weights, device="cpu", exemplars=False, render_size=64,
        context_config=ContextConfig(use_ocr=False, embed=False))
    pipe = ColorizationPipeline(pipe.generator, pipe.model_info, pipe.config, device="cpu",
                                context_fn=pipe.context_fn,
                                exemplar_fn=lambda ctx, gray, hints: seen.append(hints) or [])
    photo = Image.new("L", (64, 48), 120)
    nonsense = pipe(photo, hints="asdfgh qwerty")
    understood = pipe(photo, hints="USSR 1950")
    assert nonsense.notes and "asdfgh qwerty" in nonsense.notes[0]
    assert nonsense.to_dict()["notes"] == list(nonsense.notes)
    assert understood.notes == ()
    assert seen == [None, "USSR 1950"]  # the nonsense never reaches retrieval
    typo = pipe(photo, hints="USSR 19500")  # the place is used, the year said to be unread
    assert seen[-1] == "USSR 19500"
    said = "part of the hint not read as a date or place: '19500'"
    assert len(typo.notes) == 1 and typo.notes[0].startswith(said)
    assert np.array_equal(np.asarray(nonsense.image), np.asarray(pipe(photo).image))


@pytest.mark.slow
def test_a_retrieved_exemplar_not_found_leaves_the_users_own_transfer_unchanged(tiny_weights,
                                                                             tmp_path):
    """With the user's own reference photo, a retrieved exemplar that is not in the photo must
    not change the output either (it used to raise the similarity test of the user's cells)."""
    scene = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                            _textured(96, 64, (40, 70, 190), 2)], axis=1)
    photo = _pil(scene).convert("L")
    # The retrieved one: a different texture and color, not in the photo.
    _pil(_textured(64, 64, (30, 160, 60), 7)).save(tmp_path / "other.png")
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)
    alone = pipe(photo, exemplars=[_pil(scene)])
    with_retrieved = ColorizationPipeline(
        pipe.generator, pipe.model_info, pipe.config, device="cpu",
        exemplar_fn=lambda context, gray, hints: [
            _retrieved("other", str(tmp_path / "other.png"))])(photo, exemplars=[_pil(scene)])
    used = [e for e in with_retrieved.exemplars if e.used]
    assert len(used) == 2 and used[1].found_in_photo < 0.3  # present, not admitted
    assert used[0].rejected is None and "min_presence" in used[1].rejected  # the user's: kept
    assert np.array_equal(np.asarray(alone.image), np.asarray(with_retrieved.image))
