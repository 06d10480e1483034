"""The `chronochrome` command line: colorize, context, train, serve, keys, results, web, library,
check, report.

Benchmarks live in the eval package (`python -m eval report`, `python -m eval bench`): the
colorizer package never imports eval.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import sys
from pathlib import Path

from colorizer.apps.c2pa_cli import add_c2pa_arguments, signer_from_arguments
from colorizer.apps.engines import add_engine_arguments
from colorizer.apps.stop_signals import exit_code, stop_on_signals, stopped_by
from colorizer.errors import ChronochromeError, ImageLoadError
from context.argv_text import utf8_text

log = logging.getLogger("chronochrome")


def _finite(text: str) -> float:
    """An argparse type: a finite number (NaN or infinity would turn colors black)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number, e.g. 0.5") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, e.g. 0.5")
    return value


def _add_colorize(sub: argparse._SubParsersAction) -> None:
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
    p.add_argument("--report", action="store_true", help="also write <stem>.json and "
                   "<stem>.uncertainty.png, and <stem>.exemplars.png where an exemplar colored "
                   "the photo and <stem>.regions.png where color hints did")
    p.add_argument("--device", default="auto", help="auto (CUDA if present, else CPU), cpu, cuda")
    p.add_argument("--render-size", type=int, default=None,
                   help="long side in px at which chroma is predicted (default: the model's "
                        "operating point)")
    p.add_argument("--format", default="png", choices=["png", "jpg", "tif"],
                   help="output type: png (default), jpg (quality 95, 8-bit), tif (uncompressed)")
    p.add_argument("--weights", type=Path, default=None,
                   help="a folder written by save_pretrained (default: embedded weights)")
    p.add_argument("--max-pixels", type=int, default=None,
                   help="refuse inputs with more pixels (default 50,000,000)")
    p.add_argument("--temperature", type=_finite, default=None,
                   help="how each pixel's predicted colors are mixed: lower = its single most "
                        "likely color (duller with the default model), higher = more of its "
                        "other colors (more color, less sure); for bolder color use "
                        "--chroma-scale")
    p.add_argument("--chroma-scale", type=_finite, default=None,
                   help="multiplies predicted chroma: above 1 = bolder color (e.g. 1.5)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing files in OUTDIR that chronochrome did not write")
    p.add_argument("--no-context", action="store_true", help="skip context inference (OCR, "
                   "scene cues; report has no context); a --hint's place and time still count")
    p.add_argument("--no-exemplars", action="store_true", help="skip exemplar retrieval")
    p.add_argument("--library", type=Path, help="exemplars from this `library build` folder")
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
    p.add_argument("--exemplar-transfer", type=_finite, default=None, metavar="S",
                   help="0..1: how strongly colors are copied from --exemplar photos where "
                        "they match (default 1; 0 = through cross-attention only)")
    p.add_argument("--retrieved-transfer", type=_finite, default=None, metavar="S",
                   help="0..1: the same for retrieved exemplars, once found in the photo "
                        "(default 1; see eval/results/transfer-tuning.md)")


def _add_terminal_arguments(p: argparse.ArgumentParser) -> None:
    """How much the colorize command says while it runs."""
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar or line per photo (errors, notes and the count "
                        "are still printed)")
    # Also after the command, where a user types it (`chronochrome -v colorize` works too).
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="debug logging")


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a generator from a JSON config",
        description="Train a generator from a JSON config (configs/train/). "
                    "`chronochrome train --config configs/train/smoke.json` tries the trainer "
                    "in seconds. Relative paths in a config inside the repository are from "
                    "its root; in a config elsewhere, from the current folder (output_dir "
                    "defaults to runs/<config name> there). A run resumes from the newest "
                    "checkpoint in its output_dir.")
    p.add_argument("--config", type=Path, required=True, help="e.g. configs/train/lite0-v1.json")
    p.add_argument("--store-class-weights", type=Path, metavar="WEIGHTS_DIR",
                   help="do not train: write the class-rebalancing weights this config's "
                        "training uses into WEIGHTS_DIR (weights saved before the trainer "
                        "stored them), so decoding can undo the rebalancing")


def _package_version() -> str:
    from colorizer import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chronochrome", description="Context-aware colorizer for historical photographs")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    # What an admin checks after an install ("--version" was a usage error, exit 2).
    parser.add_argument("--version", action="version",
                        version=f"chronochrome {_package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_colorize(sub)
    from context.cli import add_context_parser

    add_context_parser(sub)
    _add_train(sub)
    from colorizer.apps.service.cli import add_service_parsers
    from colorizer.apps.web.cli import add_web_parser
    from retrieval.cli import add_library_parser

    add_service_parsers(sub)
    add_web_parser(sub)
    add_library_parser(sub)
    from colorizer.check.cli import add_check_parsers

    add_check_parsers(sub)
    return parser


MAX_RENDER_SIZE = 2048  # px; the generator's memory grows with its square (2048: ~3 GB)


def run_colorize(args: argparse.Namespace) -> int:
    # The checks that need no model come before the imports that load torch (~1.5 s).
    if not args.samples and not args.inputs:
        raise ChronochromeError("no inputs: give image files or folders, or --samples")
    if not args.samples and args.outdir is None:
        raise ChronochromeError("missing -o OUTDIR: say where the colorized photos go")
    outdir = args.outdir or Path("outputs")
    if outdir.exists() and not outdir.is_dir():
        raise ChronochromeError(f"-o {outdir} is a file; -o takes a folder (new or existing)")
    from colorizer.apps.outdir_lock import outdir_lock

    with contextlib.ExitStack() as held:
        if outdir.is_dir():  # another run writing it is told before torch is imported
            held.enter_context(outdir_lock(outdir))
        return _colorize(args, outdir, signer_from_arguments(args))  # C2PA: a trial first


def _colorize(args: argparse.Namespace, outdir: Path, signer=None) -> int:
    """`run_colorize` once OUTDIR is free and C2PA tried: pipeline checks, then the batch."""
    from colorizer.apps.batch import Manifest, create_outdir, prepare_outdir
    from colorizer.apps.engines import PipelineSpec, check_engine_arguments, make_batch
    from colorizer.apps.outdir_lock import outdir_lock
    from colorizer.apps.planner import UnreadFiles, find_sources
    from colorizer.apps.progress import run_with_progress
    from colorizer.apps.samples import sample_photos
    from colorizer.apps.service.fetch import FetchConfig
    from colorizer.pipeline.hint_json import read_color_hints
    from colorizer.pipeline.text_inputs import check_text

    check_text(hints=args.hint, caption=args.caption)  # once, before any photo
    overrides = _checked_settings(args)
    if args.weights is not None and not (args.weights / "model.safetensors").is_file():
        raise ChronochromeError(f"--weights {args.weights}: not a folder holding "
                                "model.safetensors; give a folder written by save_pretrained")
    # Our own outputs in an input folder (colorizing into it) are never inputs.
    skip = Manifest(outdir).owned_paths() if outdir.is_dir() else set()
    fetch = FetchConfig(trusted_hosts=tuple(h.lower() for h in args.trust_host))
    sources = find_sources((sample_photos() if args.samples else []) + args.inputs, skip, fetch,
                           unread := UnreadFiles())  # raws, PDFs: named, never colorized
    if not sources:
        raise ChronochromeError(unread.nothing_read(args.inputs))
    user_exemplars = [_user_exemplar(path, args.max_pixels) for path in args.exemplar]
    color_hints = read_color_hints(args.color_hints, args.point, args.max_pixels)
    check_engine_arguments(args.engine, args.address, args.workers, args.batch_size,
                           args.torch_threads)
    spec = PipelineSpec(args.weights, args.device, not args.no_context, not args.no_exemplars,
                        args.precision, args.compile, overrides, library=args.library)
    # A new folder is made and held, and its manifest written, before the model loads
    # (seconds): a folder it cannot write is told at once.
    create_outdir(outdir)
    with outdir_lock(outdir):
        prepare_outdir(outdir)
        batch = make_batch(spec, outdir, args.format, args.report, args.overwrite,
                           user_exemplars, args.engine, args.address, args.workers,
                           args.batch_size, args.threads, color_hints=color_hints,
                           fetch=fetch, torch_threads=args.torch_threads, signer=signer)
        summary = run_with_progress(batch, sources, args.hint, args.caption, args.quiet)
    summary.unread += tuple(unread.lines())  # the walk was ours (Sources given): said once
    return _print_summary(summary, outdir)


def _print_summary(summary, outdir: Path) -> int:
    """Print what the batch did (errors and notes on stderr, the count on stdout); the exit
    code: 0 all done, 1 some failed, 128 + the signal that stopped it."""
    from colorizer.apps.progress import one_line

    for item in summary.failed:
        print(one_line(f"error: {item.message}"), file=sys.stderr)
    for note in summary.notes():  # "<photo>: <note>" (BatchSummary.notes), then raws, PDFs
        print(one_line(f"note: {note}"), file=sys.stderr)
    if summary.interrupted:
        print(f"{stopped_by(summary.interrupted)}: {summary.count('pending')} not colorized "
              "yet; run the same command again to finish them (what is done is skipped)",
              file=sys.stderr)
    if summary.stopped:  # the failed photo's error said why (a full or read-only disk)
        print(f"stopped: {summary.count('pending')} not colorized yet", file=sys.stderr)
    print(f"{summary.count('done')} colorized, {summary.count('skipped')} skipped "
          f"(already done), {summary.count('failed')} failed -> {one_line(str(outdir))}")
    if summary.interrupted:
        return exit_code(summary.interrupted)  # 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP
    return 1 if summary.failed else 0


def _user_exemplar(path: Path, max_pixels: int | None):
    """One --exemplar photo, loaded before any work starts (a bad one is the user's typo). A
    load error names the flag: "nope.jpg: no such file" alone reads as if about an input."""
    from colorizer.pipeline.guidance import UserExemplar

    try:
        return UserExemplar.load(path, max_pixels=max_pixels)
    except ImageLoadError as exc:
        raise ChronochromeError(f"--exemplar {exc}") from exc


def _checked_settings(args: argparse.Namespace) -> dict:
    """The run's setting overrides, checked before any work starts (one line each)."""
    from colorizer.pipeline.colorization import PipelineConfig
    from colorizer.pipeline.decoding import DecodingConfig

    if args.render_size is not None and args.render_size > MAX_RENDER_SIZE:
        raise ChronochromeError(
            f"--render-size {args.render_size} is above the maximum {MAX_RENDER_SIZE} px "
            "(memory grows with its square); photos smaller than it are never upsampled")
    overrides = {k: v for k, v in {
        "render_size": args.render_size, "max_pixels": args.max_pixels,
        "temperature": args.temperature, "chroma_scale": args.chroma_scale,
        "exemplar_transfer": args.exemplar_transfer,
        "retrieved_transfer": args.retrieved_transfer,
        "filename_caption": False if args.no_filename_caption else None,
        "negative": True if args.negative else None}.items()
        if v is not None}
    try:
        PipelineConfig(**overrides).decoding(DecodingConfig())
    except ValueError as exc:
        flag = str(exc).split(" ")[0].replace("_", "-")
        raise ChronochromeError(f"bad setting --{flag}: {exc}") from exc
    return overrides


def run_context(args: argparse.Namespace) -> int:
    """`chronochrome context`: context/cli.py's command, with the photo read by the project's
    one image loader (as gray as the pipeline sees it), the captions the pipeline would read
    (metadata, sidecar, file name) and the ImageNet scene classifier."""
    from colorizer.model.scene import ImageNetSceneClassifier
    from colorizer.pipeline.captions import photo_captions
    from colorizer.pipeline.context_gray import context_gray
    from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS, load_image
    from context.cli import run_context_command

    found = {}  # decoded once; captions read then, pixels let go (16-bit 108 MP: 432 MB)

    def open_image(path: str):
        loaded = load_image(path, max_pixels=args.max_pixels or DEFAULT_MAX_PIXELS)
        if args.caption is None:  # read_captions is asked only then, with this file-name flag
            found[path] = photo_captions(loaded, None, not args.no_filename_caption)
        return context_gray(loaded)

    return run_context_command(args, open_image=open_image,
                               make_scene_classifier=ImageNetSceneClassifier,
                               read_captions=lambda path, _: (found[path].captions,
                                                              found[path].notes))


def run_library(args: argparse.Namespace) -> int:
    from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
    from retrieval.cli import run_library_command

    return run_library_command(args, visual_embedder=LuminanceEncoderEmbedder())


def run_train(args: argparse.Namespace) -> int:
    from colorizer.training.config_check import (
        check_input_paths,
        check_output_dir,
        newest_checkpoint,
    )
    from colorizer.training.train_config import TrainConfig, resolve

    path = args.config
    in_repo = Path(__file__).resolve().parents[2] / path
    if not path.is_file() and not path.is_absolute() and in_repo.is_file():
        path = in_repo  # `configs/train/...` named from outside the repository
    if not path.is_file():
        raise ChronochromeError(f"--config {args.config}: no such file; give the path of a "
                                "training config, e.g. configs/train/lite0-v1.json")
    try:  # every check before a photo is loaded or a file written
        config = TrainConfig.from_json(path)
        check_input_paths(config, resolve)
        if not args.store_class_weights:
            check_output_dir(resolve(config.output_dir))
    except ValueError as exc:
        raise ChronochromeError(f"--config {args.config}: {exc}") from exc
    from colorizer.training.train import store_class_weights, train

    if args.store_class_weights:
        path = store_class_weights(config, args.store_class_weights)
        print(f"class weights of {args.config} written into {path}")
        return 0
    out = resolve(config.output_dir)
    resumed = newest_checkpoint(out)
    if resumed:
        print(f"resuming from {resumed[0]} at step {resumed[1]} of {config.steps}; to start "
              f"afresh, delete {out / 'checkpoints'} or set another output_dir", file=sys.stderr)
    else:
        print(f"training {config.steps} steps into {out}", file=sys.stderr)
    path = train(config)
    print(f"weights written to {path}")
    return 0


def _unrecognized(unknown: list[str]) -> str:
    """argparse's words for arguments it does not know, with the fix for a file whose name
    starts with '-' (a scanner's "-001.tif"), which it reads as an option."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    files = [arg for arg in unknown if arg.startswith("-") and Path(arg).exists()]
    if files:
        message += (f"; {files[0]} is a file: write ./{files[0]}, or put -- before the "
                    "file names")
    return message


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(_unrecognized(unknown))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    # faiss logs which CPU builds it tried, in lines that read like failures.
    logging.getLogger("faiss.loader").setLevel(logging.DEBUG if args.verbose
                                                else logging.WARNING)
    from colorizer.apps.service.cli import run_service_command
    from colorizer.apps.web.cli import run_web
    from colorizer.check.cli import run_command as run_check_command

    handlers = {"check": run_check_command, "report": run_check_command,
                "colorize": run_colorize, "context": run_context, "train": run_train,
                "serve": run_service_command, "keys": run_service_command,
                "results": run_service_command, "library": run_library, "web": run_web}
    # A batch stops on SIGTERM and SIGHUP as on Ctrl-C (apps.stop_signals): summary, no
    # traceback. Other commands keep Python's defaults (the service sets its own handlers).
    stopping = stop_on_signals() if args.command == "colorize" else contextlib.nullcontext()
    try:
        with stopping:
            return handlers[args.command](args)
    except ChronochromeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"{stopped_by(exc)} before any photo was written", file=sys.stderr)
        return exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
