"""The flags that say how photos are colorized, defined once for `colorize`, `serve` and `web`.

An archive that tuned a run with `chronochrome colorize` gives the service and the workbench
the same flags, with the same names, defaults, checks and one-line errors (serve lacked
--no-exemplars, web --library, both --temperature, --chroma-scale and --retrieved-transfer).
`colorize` adds each group where its --help always listed it; `serve` and `web` add them all
with `add_pipeline_arguments`. `checked_settings` and `check_weights` run before the port and
the model, in all three. --max-pixels too: serve had it only as `max_pixels` in --config, and
colorize and web refused 0 in other words (tests/test_settings_parity*.py).

Only argparse and math are imported at the top: `--help` and argument errors must not load
torch or numpy (tests/test_fast_start.py)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colorizer.errors import ChronochromeError

MAX_RENDER_SIZE = 2048  # px; the generator's memory grows with its square (2048: ~3 GB)

if TYPE_CHECKING:
    from retrieval.retriever import RetrieverConfig

# The PipelineConfig fields these flags set, by their argparse names (also `--max-pixels`).
SETTING_FLAGS = ("render_size", "max_pixels", "temperature", "chroma_scale",
                 "exemplar_transfer", "retrieved_transfer")


def finite(text: str) -> float:
    """An argparse type: a finite number (NaN or infinity would turn colors black)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number, e.g. 0.5") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, e.g. 0.5")
    return value


def add_device_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="auto", help="auto (CUDA if present, else CPU), cpu, cuda")


def add_render_size_argument(p: argparse.ArgumentParser) -> None:
    # The pipeline's rule (pipeline/render_size_rule.py) is said here, in every command's
    # --help: a technician hands the same --render-size to colorize, serve and web.
    p.add_argument("--render-size", type=int, default=None,
                   help="long side in px at which chroma is predicted (default: the model's "
                        "operating point). A size above both a photo's long side and the "
                        "operating point is lowered to the larger of the two, and a note says "
                        "so: the same in colorize, serve, web and the Python API")


# The cap a 12000x9000 scan needs: the example in --help and in the refusal of a bad count.
SCAN_MAX_PIXELS = "--max-pixels 108000000"


def add_max_pixels_argument(p: argparse.ArgumentParser) -> None:
    """--max-pixels: the same cap, default and help in colorize, serve and web."""
    p.add_argument("--max-pixels", type=int, default=None, metavar="N",
                   help=f"refuse photos with more pixels (default 50,000,000; a 12000x9000 "
                        f"scan needs {SCAN_MAX_PIXELS}, and about 1.7 GB of memory); serve "
                        "answers 413 for a larger upload and takes it as max_pixels in "
                        "--config too")


def check_max_pixels(max_pixels: int | None) -> None:
    """--max-pixels of 1 or more, told in the same words by every command that takes it
    (colorize said "max_pixels must be positive", serve had no flag)."""
    if max_pixels is not None and max_pixels < 1:
        raise ChronochromeError(f"--max-pixels {max_pixels}: give a positive pixel count, "
                                f"such as {SCAN_MAX_PIXELS} for a 12000x9000 scan")


def add_weights_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weights", type=Path, default=None,
                   help="a folder written by save_pretrained (default: embedded weights)")


def add_decoding_arguments(p: argparse.ArgumentParser) -> None:
    """How predicted colors become the output's chroma."""
    p.add_argument("--temperature", type=finite, default=None,
                   help="how each pixel's predicted colors are mixed: lower = its single most "
                        "likely color (duller with the default model), higher = more of its "
                        "other colors (more color, less sure); for bolder color use "
                        "--chroma-scale")
    p.add_argument("--chroma-scale", type=finite, default=None,
                   help="multiplies predicted chroma: above 1 = bolder color (e.g. 1.5)")


def add_retrieval_arguments(p: argparse.ArgumentParser) -> None:
    """What is inferred and retrieved: context, exemplars and their library."""
    p.add_argument("--no-context", action="store_true", help="skip context inference (OCR, "
                   "scene cues; report has no context); a --hint's place and time still count")
    p.add_argument("--no-exemplars", action="store_true", help="skip exemplar retrieval")
    p.add_argument("--library", type=Path, default=None, help=(
        "exemplars from this `library build` folder (a rebuild of it is taken at the next "
        "photo, without a restart)"))


def add_retrieved_transfer_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--retrieved-transfer", type=finite, default=None, metavar="S",
                   help="0..1: how strongly colors are copied from retrieved exemplars once "
                        "found in the photo (default 1; 0 = through cross-attention only; "
                        "see eval/results/transfer-tuning.md)")


def add_split_page_argument(p: argparse.ArgumentParser) -> None:
    """--no-split-page: the same switch in colorize, serve and web (album_page.py)."""
    p.add_argument("--no-split-page", action="store_true", help="colorize an album page "
                   "(several prints on paper) as one photo, not each print on its own")


def add_pipeline_arguments(p: argparse.ArgumentParser) -> None:
    """The colorize flags that change a served pipeline's colors or what it retrieves, and
    the cap on a photo's pixels (the service answers 413 past it, as the workbench does). Not
    --exemplar-transfer: neither the service nor the workbench takes --exemplar photos, and a
    flag that changes nothing would mislead."""
    for add in (add_weights_argument, add_device_argument, add_render_size_argument,
                add_max_pixels_argument, add_decoding_arguments,
                add_retrieved_transfer_argument, add_retrieval_arguments,
                add_split_page_argument):
        add(p)


def check_render_size(render_size: int | None) -> None:
    """--render-size within MAX_RENDER_SIZE, as `colorize`, `serve` and `web` take it (the
    workbench took 4096, which colorize refuses, and met 8 with a traceback after it started).
    The minimum is the pipeline's own (PipelineConfig), told in colorize's words."""
    if render_size is None:
        return
    if render_size > MAX_RENDER_SIZE:
        raise ChronochromeError(
            f"--render-size {render_size} is above the maximum {MAX_RENDER_SIZE} px (the "
            f"generator's memory grows with its square); give {MAX_RENDER_SIZE} or less")
    from colorizer.pipeline.config import PipelineConfig

    try:
        PipelineConfig(render_size=render_size)
    except ValueError as exc:
        raise ChronochromeError(f"bad setting --render-size: {exc}") from exc


def checked_settings(args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """The PipelineConfig overrides of `args` (the SETTING_FLAGS it has) and `extra`, checked
    before any work starts: a bad one is one line naming its flag (exit 2), the same in every
    command that takes it."""
    from colorizer.pipeline.config import PipelineConfig
    from colorizer.pipeline.decoding import DecodingConfig

    check_render_size(getattr(args, "render_size", None))
    check_max_pixels(getattr(args, "max_pixels", None))
    given = {name: getattr(args, name, None) for name in SETTING_FLAGS} | extra
    if getattr(args, "no_split_page", False):
        given["split_page"] = False
    overrides = {k: v for k, v in given.items() if v is not None}
    try:
        PipelineConfig(**overrides).decoding(DecodingConfig())
    except ValueError as exc:
        flag = str(exc).split(" ")[0].replace("_", "-")
        raise ChronochromeError(f"bad setting --{flag}: {exc}") from exc
    return overrides


def check_weights(weights: Path | None) -> None:
    """--weights is a readable folder holding model.safetensors, told in the pipeline's words
    (weights_folder) before the port and the model (serve and web said it only after taking
    the port, colorize in other words)."""
    if weights is None:
        return
    from colorizer.pipeline.weights_folder import readable_weights

    readable_weights(weights)
    if not (weights / "model.safetensors").is_file():
        raise ChronochromeError(f"--weights {weights}: not a folder holding "
                                "model.safetensors; give a folder written by save_pretrained")


def library_config(library: Path | None) -> RetrieverConfig | None:
    """--library as colorize takes it: a folder that cannot serve is refused at the start."""
    if library is None:
        return None
    from retrieval.library import check_library_option
    from retrieval.retriever import RetrieverConfig

    check_library_option(library)
    return RetrieverConfig(library=str(library.resolve()))
