"""`chronochrome context` and `chronochrome library`: the commands context/cli.py and
retrieval/cli.py own, run with colorizer's models plugged in (context and retrieval never
import colorizer, so the wiring is here). Models are imported inside the functions: --help
and argument errors load no torch."""

from __future__ import annotations

import argparse


def run_context(args: argparse.Namespace) -> int:
    """`chronochrome context`: context/cli.py's command, with the photo read by the project's
    one image loader (as gray as the pipeline sees it), the captions the pipeline would read
    (metadata, sidecar, file name) and the ImageNet scene classifier. Several photos, a
    folder or a table option (--format, -o, --captions): a table, one row a photo
    (colorizer/apps/context_batch.py); one photo alone prints what it always printed."""
    from colorizer.apps.context_batch import is_batch, run_context_batch

    if is_batch(args):
        return run_context_batch(args)
    # One IMAGE (or none: --hint/--caption alone), as run_context_command always took it.
    args = argparse.Namespace(**{**vars(args), "image": args.image[0] if args.image else None})
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
