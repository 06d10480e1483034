"""The Python API as a researcher uses it in a notebook: every mistake in a call (an argument
of the wrong kind, a hint whose coordinates are no numbers, a file opened in text mode) is one
`ChronochromeError` whose message says what to pass, never a codec's, a format string's or an
attribute's error from inside; None where a list of hints or exemplars belongs means none;
what a check returns prints in one short line; and a call after an error, a second pipeline
and two threads give a fresh call's pixels."""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer import Box, ColorHint, ColorizationPipeline, Mask, Point, Polygon, ReferenceHint
from colorizer.check.checker import ColorizationChecker
from colorizer.errors import ChronochromeError, InputTypeError
from colorizer.pipeline.color_hints import HintError


def photo() -> Image.Image:
    y, x = np.mgrid[0:48, 0:64]
    pixels = 128 + 90 * np.sin(x / 4) * np.cos(y / 3)
    return Image.fromarray(pixels.astype(np.uint8), "L")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def jpeg_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "scan.jpg"
    photo().save(path, quality=95)
    return path


def wrong_kind_calls(jpeg_file):
    """(what the researcher wrote, the call, words the message must hold)."""
    return [
        ("a dict as the hint", lambda p: p(photo(), hints={"place": "Kazan", "year": 1950}),
         "hints must be one string"),
        ("a year as the caption", lambda p: p(photo(), caption=1950), "caption must be one"),
        ("None as the photo", lambda p: p(None), "cannot colorize a NoneType: pass a path"),
        ("None in a list", lambda p: p([photo(), None]), "photo 1 of the list is a NoneType"),
        ("one path as exemplars", lambda p: p(photo(), exemplars=str(jpeg_file)),
         "exemplars=[photo]"),
        ("a number as exemplars", lambda p: p(photo(), exemplars=3), "list of reference photos"),
        ("a dict as an exemplar", lambda p: p(photo(), exemplars=[{"path": str(jpeg_file)}]),
         "exemplar 1 is a dict: pass a path"),
        ("a JPEG opened in text mode",
         lambda p: p(jpeg_file.open("r", encoding="utf-8")), "binary mode ('rb')"),
        ("a StringIO", lambda p: p(io.StringIO("not an image")), "binary mode ('rb')"),
    ]


def test_an_argument_of_the_wrong_kind_is_a_chronochrome_error_that_says_what_to_pass(
        pipe, jpeg_file):
    for label, call, words in wrong_kind_calls(jpeg_file):
        with pytest.raises(ChronochromeError) as caught:
            call(pipe)
        # Still a TypeError: code written against the earlier errors catches it as before.
        assert isinstance(caught.value, InputTypeError | TypeError), label
        assert type(caught.value) is InputTypeError, (label, type(caught.value))
        assert words in str(caught.value), (label, str(caught.value))


def test_a_hints_coordinates_or_mask_of_the_wrong_kind_are_hint_errors(pipe):
    cases = [
        (ColorHint(Point("5", "5"), "#b22222"), "a point's x and y are finite numbers"),
        (ColorHint(Point(float("nan"), 5), "#b22222"), "a point's x and y are finite numbers"),
        (ColorHint(Box("0", 0, 10, 10), "#b22222"), "a box is x0,y0,x1,y1"),
        (ColorHint(Mask([[1, 0], [0, 1]]), "#b22222"), "a mask is a numpy array"),
        (ColorHint(Mask(Image.new("L", (64, 48), 255)), "#b22222"),
         "given a Image: pass Mask(np.asarray(image) > 0)"),
        (ColorHint(Polygon(5), "#b22222"), "a polygon needs at least 3 points"),
        (ReferenceHint(Box(0, 0, 20, 20), np.zeros((8, 8, 3), np.uint8)),
         "the reference cannot lend colors: cannot load an image from ndarray"),
    ]
    for hint, words in cases:
        with pytest.raises(HintError) as caught:
            pipe(photo(), color_hints=[hint])
        assert str(caught.value).startswith("color hint 1 ("), str(caught.value)
        assert words in str(caught.value), str(caught.value)


def test_none_for_color_hints_or_exemplars_is_none(pipe):
    plain = pipe(photo())
    given_none = pipe(photo(), color_hints=None, exemplars=None)
    assert given_none.image.tobytes() == plain.image.tobytes()
    (listed,) = pipe([photo()], color_hints=None, exemplars=None)
    assert listed.image.tobytes() == plain.image.tobytes()


def test_bad_input_a_researcher_makes_raises_the_projects_error_with_the_fix(pipe, tmp_path):
    pdf = tmp_path / "article.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    gray = np.asarray(photo())
    nan = np.full(gray.shape, np.nan, np.float32)
    cases = [
        (tmp_path / "missing.jpg", "no such file"),
        (tmp_path, "is a folder"),
        (pdf, "is a PDF document"),
        (np.stack([gray] * 3), "pass arr.transpose(1, 2, 0)"),
        (np.zeros((0, 0), np.uint8), "nothing to colorize"),
        (nan, "every value of the array is NaN"),
        (gray.astype(np.float32) * 3, "above both 1 and 255"),
    ]
    for image, words in cases:
        with pytest.raises(ChronochromeError, match=re.escape(words)):
            pipe(image)
    with pytest.raises(HintError, match="outside the image; the image is 64 x 48 px"):
        pipe(photo(), color_hints=[{"point": [500, 5], "color": "#b22222"}])


def test_after_an_error_a_second_pipeline_and_two_threads_give_a_fresh_calls_pixels(
        pipe, shared_tiny_weights):
    fresh = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                 context=False, exemplars=False, render_size=64)
    expected = fresh(photo()).image.tobytes()
    with pytest.raises(InputTypeError):
        pipe(photo(), hints={"era": 1950})
    with pytest.raises(HintError):
        pipe(photo(), color_hints=[ColorHint(Point("5", "5"), "#b22222")])
    assert pipe(photo()).image.tobytes() == expected
    out: list[bytes] = [b""] * 4

    def work(n: int) -> None:
        image = photo() if n % 2 else np.asarray(photo())
        out[n] = (pipe if n < 2 else fresh)(image).image.tobytes()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert out == [expected] * 4


def test_a_check_report_prints_in_one_short_line(pipe):
    y, x = np.mgrid[0:96, 0:128]
    gray = Image.fromarray((128 + 90 * np.sin(x / 9) * np.cos(y / 7)).astype(np.uint8), "L")
    report = ColorizationChecker(pipe, None)(pipe(gray).image, original=gray)
    text = repr(report)
    assert text.startswith("CheckReport(passed=True, findings=[], size=128x96, hint=None, "
                           "facts=[], luminance=matches (mean |dL*| 0.0"), text
    assert text.endswith("notes=['no flag finder weights: flag, banner and uniform colors were "
                         "not compared with the retrieved facts'])"), text
    assert "settings" not in text and "embedding" not in text and len(text) <= 300, text


def test_a_notebook_shows_what_the_loader_did_to_an_array_as_the_cli_prints_it(pipe):
    values = np.asarray(photo()) / 255.0
    values[:10] = np.nan  # a researcher's array with missing values: they come out black
    html = pipe(values)._repr_mimebundle_()["text/html"]
    assert ("<li>640 pixel values were not finite (NaN or infinite) and were set to black</li>"
            in html), html[-400:]
    plain = pipe(photo())._repr_mimebundle_()["text/html"]
    assert "<li>" not in plain, plain[-400:]  # nothing read otherwise: no note


def test_the_library_exemplars_the_hints_docstring_names_are_in_the_library():
    # A researcher copies the example: "flag-ussr-1923" was no record's id ("the exemplar
    # library has no exemplar ..."), and LibraryExemplar was not in its import line.
    from colorizer.pipeline import color_hints

    root = Path(__file__).resolve().parents[1] / "configs" / "retrieval"
    ids = {entry["id"] for path in root.glob("*.json")
           for entry in json.loads(path.read_text())["entries"]}
    named = set(re.findall(r'LibraryExemplar\("([^"]+)"\)', color_hints.__doc__))
    named |= set(re.findall(r'"exemplar": "([^"]+)"', color_hints.__doc__))
    assert named and named <= ids, named - ids
    assert "from colorizer import Box, ColorHint, LibraryExemplar, Point, ReferenceHint" in (
        color_hints.__doc__)


def test_a_config_given_as_a_dict_is_refused_with_its_type(shared_tiny_weights):
    for name in ("context_config", "retriever_config"):
        with pytest.raises(InputTypeError, match=f"{name} must be a .*Config or None, not a "
                                                 f"dict: {name}="):
            ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                 context=False, exemplars=False,
                                                 **{name: {"use_ocr": False}})
