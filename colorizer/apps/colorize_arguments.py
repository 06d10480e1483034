"""The `chronochrome colorize` argument parser: its flags, their help texts and types.

Only argparse and the flag groups other modules own (the pipeline's flags that serve and web
share, engine, C2PA signing) are imported here:
`chronochrome colorize --help` and argument errors must not load torch or numpy
(tests/test_fast_start.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from colorizer.apps.c2pa_cli import add_c2pa_arguments
from colorizer.apps.engines import add_engine_arguments
from colorizer.apps.pipeline_arguments import (
    add_decoding_arguments,
    add_device_argument,
    add_max_pixels_argument,
    add_render_size_argument,
    add_retrieval_arguments,
    add_retrieved_transfer_argument,
    add_split_page_argument,
    add_weights_argument,
    finite,
)
from context.argv_text import utf8_text


def add_colorize_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("colorize", help="colorize photos (files, folders, CSV lists, IIIF "
                                        "manifests) into OUTDIR")
    p.add_argument("inputs", nargs="*",
                   help="image files, folders, CSV lists (a path or url column; optional "
                        "caption, hint, id) or IIIF manifests (.json file or http(s) URL)")
    p.add_argument("-o", "--outdir", type=Path, help="output folder (required unless --samples)")
    p.add_argument("--samples", action="store_true",
                   help="colorize the bundled sample photos (default outdir: outputs/)")
    p.add_argument("--hint", type=utf8_text, help="free-text context, e.g. 'USSR 1950'")
    p.add_argument("--caption", type=utf8_text, help="an archive caption describing the photo "
                   "(replaces the captions read from its metadata, sidecar file and name)")
    p.add_argument("--no-filename-caption", action="store_true", help="do not read the file "
                   "name as a caption (metadata and sidecar captions are still read)")
    p.add_argument("--negative", action="store_true", help="the photos are scanned negatives: "
                   "invert their tones (and a color film's orange base) before colorizing")
    add_split_page_argument(p)  # as serve and web take it
    p.add_argument("--report", action="store_true", help="also write <stem>.json and "
                   "<stem>.uncertainty.png, and <stem>.exemplars.png where an exemplar colored "
                   "the photo and <stem>.regions.png where color hints did")
    add_device_argument(p)  # the flags serve and web share: pipeline_arguments
    add_render_size_argument(p)
    # The service's formats (a job's `format`), written by the same encoder (provenance.py).
    p.add_argument("--format", default="png", choices=["png", "jpg", "tif", "webp"],
                   help="output type: png (default), jpg (quality 95, 8-bit), tif "
                        "(uncompressed), webp (lossy, quality 95, 8-bit)")
    add_weights_argument(p)
    add_max_pixels_argument(p)  # as serve and web take it
    add_decoding_arguments(p)  # between --max-pixels and --overwrite, where they always were
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing files in OUTDIR that chronochrome did not write")
    add_retrieval_arguments(p)
    for add_group in (_add_guidance_arguments, _add_terminal_arguments, add_engine_arguments,
                      add_c2pa_arguments):  # exemplars and hints, output, engine, signing
        add_group(p)


def _add_guidance_arguments(p: argparse.ArgumentParser) -> None:  # exemplars, color hints
    p.add_argument("--exemplar", action="append", type=Path, default=[], metavar="PATH",
                   help="a color reference photo of a similar scene (repeatable); joins the "
                        "retrieved exemplars, ahead of them")
    p.add_argument("--color-hints", type=Path, metavar="HINTS.json",
                   help="colors you know: a JSON list of points, boxes, polygons or masks with a "
                        "color, a reference photo or a library exemplar's id, each with an "
                        "optional source (see colorizer/pipeline/color_hints.py)")
    p.add_argument("--point", action="append", default=[], metavar="X,Y=COLOR",
                   help="a point of known color, e.g. --point 120,80=#b22222 (repeatable; "
                        "pixels of the photo as shown, upright after its EXIF orientation; "
                        "x right, y down)")
    p.add_argument("--exemplar-transfer", type=finite, default=None, metavar="S",
                   help="0..1: how strongly colors are copied from --exemplar photos where "
                        "they match (default 1; 0 = through cross-attention only)")
    add_retrieved_transfer_argument(p)


def _add_terminal_arguments(p: argparse.ArgumentParser) -> None:
    """How much the colorize command says while it runs."""
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar or line per photo (errors, notes and the count "
                        "are still printed)")
    # Also after the command, where a user types it (`chronochrome -v colorize` works too).
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="debug logging")
