"""What a historian sees in a notebook: a result shown as its picture with a caption that names
the photo, the era and place and the run's notes; a context that prints in a line and shows
its evidence as a table, never its embeddings' hundreds of floats."""

from __future__ import annotations

import base64
import dataclasses
import io
import re

import pytest
from PIL import Image
from skimage import data as skdata

from colorizer import ColorizationPipeline
from colorizer.pipeline.result import PREVIEW_SIDE
from context.types import Era, Evidence, Region, SceneContext, SceneLabel

CONVERTER_SIDE = 512  # the converters' JPEG, long side (result_display.CONVERTER_SIDE)
PHOTO = Image.fromarray(skdata.camera()[:80, :120])  # 120 wide, 80 high


def paris_1880() -> SceneContext:
    """A context as the encoder gives it for "Paris 1880": two embeddings, 896 floats."""
    era = Era(1880, 1880, 0.9, "hint",
              (Evidence("hint", 'year "1880" in hint', 0.9, "1880-1880", span=(6, 10)),))
    region = Region("Paris, French Third Republic", "Q90", "FR", 0.924, "hint",
                    (Evidence("gazetteer", "polity in 1880: <French Third Republic>", 1.0,
                              "FR"),))
    return SceneContext(era=era, region=region, script=None, language=None, text=(),
                        scene=(SceneLabel("prison", 0.31), SceneLabel("street", 0.2)),
                        conflicts=(), description="A photo from Paris in 1880.",
                        embedding=tuple([0.0625] * 384), embedding_model="minilm",
                        image_embedding=tuple([0.125] * 512),
                        unknown={"script": "no text was read", "language": "no text"})


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


# --- the context ---------------------------------------------------------------------------


def test_a_context_prints_in_a_line_with_its_values_not_its_embeddings():
    text = repr(paris_1880())  # the generated repr: 10,464 characters for "Paris 1880"
    assert len(text) < 600 and "\n" not in text and "0.0625" not in text
    assert text.startswith("SceneContext(era=1880 (0.90, hint), region='Paris, French Third "
                           "Republic' (0.92, hint), script=None, language=None, ")
    assert "scene=['prison', 'street']" in text and "evidence=2" in text
    assert "unknown=['language', 'script']" in text
    assert "embedding=<384 floats>" in text and "image_embedding=<512 floats>" in text


def test_an_empty_context_says_what_is_unknown():
    text = repr(SceneContext.empty("context inference is off"))
    assert text == ("SceneContext(era=None, region=None, script=None, language=None, scene=[], "
                    "text=0 lines, captions=0, conflicts=0, evidence=0, "
                    "unknown=['embedding', 'era', 'language', 'region', 'script'])")


def test_a_notebook_shows_a_contexts_evidence_as_a_table():
    html = paris_1880()._repr_html_()
    assert "<table>" in html and "A photo from Paris in 1880." in html
    # each value with its confidence and the evidence behind it, escaped
    assert re.search(r"<th[^>]*>era</th><td[^>]*>1880 \(hint\)</td><td>0\.90</td>", html)
    assert "year &quot;1880&quot; in hint" in html
    assert "polity in 1880: &lt;French Third Republic&gt;" in html
    assert "unknown: no text was read" in html and "prison (0.31)" in html


# --- the result ----------------------------------------------------------------------------


def _bundle(result) -> tuple[str, Image.Image, Image.Image]:
    """The HTML view, its picture, and the converters' JPEG: no PNG beside them (a notebook
    kept both copies, 515 KB a 500x394 photo; test_notebook_size.py)."""
    bundle = result._repr_mimebundle_()
    assert sorted(bundle) == ["image/jpeg", "text/html"]
    html = bundle["text/html"]
    jpeg = re.search(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert jpeg, "the HTML view holds no picture"
    return (html, Image.open(io.BytesIO(base64.b64decode(jpeg.group(1)))),
            Image.open(io.BytesIO(bundle["image/jpeg"])))


def test_a_notebook_shows_a_result_with_a_caption_of_its_photo_context_and_notes(pipe):
    # Jupyter showed the picture alone (`_repr_png_`): no word of which photo or its notes.
    result = dataclasses.replace(pipe(PHOTO), context=paris_1880(),
                                 notes=("nearly gray <C* 0.8>: try color hints",))
    html, picture, fallback = _bundle(result)
    caption = re.search(r"<figcaption>(.*?)<ul", html).group(1)
    assert caption == "&lt;image&gt; \u00b7 120\u00d780 \u00b7 1880 \u00b7 Paris, French Third Republic"
    assert "<li>nearly gray &lt;C* 0.8&gt;: try color hints</li>" in html
    assert picture.size == fallback.size == (120, 80) and fallback.format == "JPEG"


def test_a_large_results_notebook_view_is_a_small_preview(pipe):
    result = pipe(Image.new("L", (2400, 600), 128))
    html, picture, fallback = _bundle(result)
    assert picture.size == (PREVIEW_SIDE, PREVIEW_SIDE // 4)
    assert fallback.size == (CONVERTER_SIDE, CONVERTER_SIDE // 4)  # for LaTeX/PDF: smaller
    assert len(html) < 200_000  # a JPEG preview: the PNG of a photo is ~5x larger
    assert "<ul" not in html or "<li>" in html


def test_a_printed_result_names_the_era_and_place_it_inferred(pipe):
    result = dataclasses.replace(pipe(PHOTO), context=paris_1880())
    text = repr(result)
    assert ", era=1880, region='Paris, French Third Republic', exemplars=0," in text
    assert "\n" not in text and "0.0625" not in text and len(text) < 600
