"""Era and place cues from what the image shows (encoder.py steps 3 and 4): the scene
classifier's labels with the cues `scene_cues.json` ties to them, and CLIP's zero-shot decade
and region. Each adds its candidates to `eras` and `places` and its status to `sources`."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from context.clip import ClipOutput
from context.config import ContextConfig
from context.gazetteer import PRESENT_YEAR, Gazetteer
from context.hints import EraCandidate, PlaceCandidate
from context.scene import SceneClassifier, imagenet_labels, readable, scene_cues
from context.temporal import FIRST_PHOTO_YEAR
from context.types import Evidence, SceneLabel, SourceStatus

ClipModel = Callable[[Image.Image], ClipOutput]


def scene_evidence(classifier: SceneClassifier, image: Image.Image, config: ContextConfig,
                   gazetteer: Gazetteer, sources: dict[str, SourceStatus],
                   eras: list[EraCandidate], places: list[PlaceCandidate]) -> list[SceneLabel]:
    """The scene classifier's top labels; its cues' era and place candidates."""
    data = config.data_dir
    labels, cues = imagenet_labels(data), scene_cues(data)
    preds = sorted(classifier(image), key=lambda p: -p[1])
    sources["scene"] = SourceStatus(True, getattr(classifier, "name", type(classifier).__name__))
    out = []
    for idx, prob in preds[: config.scene_top_k]:
        if prob < config.scene_min_score:  # below the calibrated floor: noise
            continue
        cue = cues.get(int(idx))
        out.append(SceneLabel(readable(labels[int(idx)]), round(float(prob), 4),
                              cue.cue if cue else None))
    for idx, prob in preds:
        cue = cues.get(int(idx))
        if cue is None or prob < config.scene_min_score:
            continue
        score = float(prob) * cue.weight
        if cue.not_before or cue.not_after:
            start, end = cue.not_before or FIRST_PHOTO_YEAR, cue.not_after or PRESENT_YEAR
            ev = Evidence("scene", f"{readable(cue.label)} ({prob:.2f}): {cue.note}",
                          round(score, 3), f"{start}-{end}")
            eras.append(EraCandidate(start, end, score, "scene", "constraint", ev))
        if cue.place:
            ev = Evidence("scene", f"{readable(cue.label)} ({prob:.2f}): {cue.note}",
                          round(score, 3), cue.place)
            window = ((cue.not_before or FIRST_PHOTO_YEAR, cue.not_after or PRESENT_YEAR)
                      if cue.not_before or cue.not_after else None)
            places.append(PlaceCandidate(cue.place, "place", score, "scene", ev,
                                         1 + gazetteer.place_depth(cue.place), window))
    return out


def clip_evidence(clip: ClipModel, image: Image.Image, config: ContextConfig,
                  gazetteer: Gazetteer, sources: dict[str, SourceStatus],
                  eras: list[EraCandidate], places: list[PlaceCandidate]) -> tuple[float, ...]:
    """CLIP's likeliest decade and region as candidates (when sure enough); its image
    embedding."""
    out = clip(image)
    sources["clip"] = SourceStatus(True, getattr(clip, "name", "CLIP"))
    decade, p = max(out.decade_probs.items(), key=lambda kv: kv[1])
    if p >= config.clip_min_probability:
        ev = Evidence("clip", f"zero-shot: the {decade}s (p={p:.2f})", round(p, 3),
                      f"{decade}-{decade + 9}")
        eras.append(EraCandidate(decade, decade + 9, p, "clip", "estimate", ev))
    place, q = max(out.region_probs.items(), key=lambda kv: kv[1])
    if q >= config.clip_min_probability and place in gazetteer.places:
        ev = Evidence("clip", f"zero-shot: {gazetteer.places[place].name} (p={q:.2f})",
                      round(q, 3), place)
        places.append(PlaceCandidate(place, "place", q, "clip", ev,
                                     1 + gazetteer.place_depth(place)))
    return tuple(float(x) for x in out.image_embedding)
