"""`chronochrome colorize`: the checks that need no model, the batch run and what it prints.

The pipeline, torch and the batch writer are imported inside the functions, after the checks
that need no model (torch alone takes ~1.5 s to import): a typo is told at once."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from colorizer.apps.c2pa_cli import signer_from_arguments
from colorizer.apps.stop_signals import exit_code, stopped_by
from colorizer.errors import ChronochromeError, ImageLoadError


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
    from colorizer.apps.pipeline_arguments import check_weights
    from colorizer.apps.planner import UnreadFiles, find_sources
    from colorizer.apps.progress import run_with_progress
    from colorizer.apps.samples import sample_photos
    from colorizer.apps.service.fetch import FetchConfig
    from colorizer.pipeline.hint_json import read_color_hints
    from colorizer.pipeline.text_inputs import check_text

    check_text(hints=args.hint, caption=args.caption)  # once, before any photo
    overrides = _checked_settings(args)
    check_weights(args.weights)  # as serve and web
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
    # (seconds): a folder it cannot write is told at once. The batch starts from that
    # manifest, held till it ends: its base written once per run.
    create_outdir(outdir)
    with outdir_lock(outdir):
        manifest = prepare_outdir(outdir)
        batch = make_batch(spec, outdir, args.format, args.report, args.overwrite,
                           user_exemplars, args.engine, args.address, args.workers,
                           args.batch_size, args.threads, color_hints=color_hints,
                           fetch=fetch, torch_threads=args.torch_threads, signer=signer)
        batch.start_from(manifest)
        summary = run_with_progress(batch, sources, args.hint, args.caption, args.quiet)
    summary.unread += tuple(unread.lines())  # the walk was ours (Sources given): said once
    return print_summary(summary, outdir)


def print_summary(summary, outdir: Path) -> int:
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
    """The run's setting overrides, checked before any work starts (one line each), by the
    check serve and web make too (pipeline_arguments)."""
    from colorizer.apps.pipeline_arguments import checked_settings

    return checked_settings(args, filename_caption=False if args.no_filename_caption else None,
                            negative=True if args.negative else None)
