"""The job manifest's notes stay on their own canvas: a region note (`#xywh=`, a color hint's
or an album print's) lies inside the canvas, and the validator says when one does not."""

from __future__ import annotations

import re

from colorizer.apps.service.iiif import presentation3_errors, result_canvas

JOB = "https://colorize.example/v1/jobs/j1"


def _manifest(canvases: list[dict]) -> dict:
    return {"@context": "http://iiif.io/api/presentation/3/context.json",
            "id": f"{JOB}/manifest", "type": "Manifest", "label": {"en": ["job"]},
            "items": canvases}


def _canvas(n: int, note_target: str, width: int = 100, height: int = 80) -> dict:
    canvas_id = f"{JOB}/canvas/{n}"
    image = {"id": f"{JOB}/items/{n}/result", "type": "Image", "label": {"en": ["x"]}}
    return {"id": canvas_id, "type": "Canvas", "width": width, "height": height,
            "items": [{"id": f"{canvas_id}/page/painting", "type": "AnnotationPage", "items": [{
                "id": f"{canvas_id}/annotation/painting", "type": "Annotation",
                "motivation": "painting", "target": canvas_id,
                "body": {"type": "Choice", "items": [image, image]}}]}],
            "annotations": [{"id": f"{canvas_id}/page/notes", "type": "AnnotationPage",
                             "items": [{"id": f"{canvas_id}/annotation/note-0",
                                        "type": "Annotation", "motivation": "describing",
                                        "target": note_target.replace("CANVAS", canvas_id),
                                        "body": {"type": "TextualBody", "value": "a note"}}]}]}


def test_notes_on_the_canvas_or_a_region_inside_it_are_valid():
    assert presentation3_errors(_manifest([
        _canvas(1, "CANVAS"), _canvas(2, "CANVAS#xywh=0,0,100,80"),
        _canvas(3, "CANVAS#xywh=90,70,10,10")])) == []


def test_a_note_on_another_canvas_or_outside_its_own_is_named():
    # canvas/12 begins with canvas/1: a prefix passed as the canvas itself
    errors = presentation3_errors(_manifest([
        _canvas(1, f"{JOB}/canvas/12"), _canvas(2, "CANVAS#xywh=50,0,51,80"),
        _canvas(3, "CANVAS#xywh=0,0,0,5"), _canvas(4, "CANVAS#xywh=a,b,c,d")]))
    assert len(errors) == 4, errors
    assert errors[0].startswith("items[0]: the note ") and "canvas/12'" in errors[0]
    assert "outside the canvas's 100 x 80: " in errors[1] and errors[1].startswith("items[1]")
    assert "outside the canvas's 100 x 80" in errors[2]
    assert "must target its canvas or a #xywh= region of it" in errors[3]


def test_a_hint_region_at_the_photo_edge_stays_inside_a_larger_canvas():
    # 7 px read on a 29 px canvas: 7 * (29 / 7) is 29.000000000000004 in floats, and the
    # region's width was rounded up past the canvas's right edge.
    item = {"idx": 0, "source": {"canvas_width": 29, "canvas_height": 29, "name": "a.png"}}
    record = {"source": {"size": [7, 7]}, "output": {"size": [7, 7]},
              "color_regions": [
                  {"id": 0, "kind": "model", "label": "the model's guess", "share": 0.5,
                   "confidence": 0.5},
                  {"id": 1, "kind": "hint", "label": "user hint", "box": [0, 0, 7, 7],
                   "share": 0.5, "confidence": 0.9}]}
    canvas = result_canvas(JOB, item, record, "png", str)
    targets = [a["target"] for page in canvas["annotations"] for a in page["items"]
               if "color-source" in a["id"]]
    assert targets[0] == canvas["id"]  # the model's guess: the whole canvas
    x, y, w, h = map(int, re.fullmatch(r".*#xywh=(\d+),(\d+),(\d+),(\d+)", targets[1]).groups())
    assert (x, y) == (0, 0) and x + w <= 29 and y + h <= 29 and (w, h) == (29, 29)
    assert presentation3_errors(_manifest([canvas])) == []
