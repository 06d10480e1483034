"""The `context` subcommand: `chronochrome context IMAGE [--hint TEXT] [--caption TEXT]`.

colorizer/apps/cli.py wires it in with `add_context_parser(subparsers)` and calls
`run_context_command(args, open_image=..., make_scene_classifier=...)` with the colorizer's
image loader and ImageNet scene classifier (context never imports colorizer); `python -m
context` runs it alone, reading the photo with PIL and without a scene classifier.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from context.config import ContextConfig
from context.scene import SceneClassifier


def add_context_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "context", help="infer era, region and script of a photo, with evidence (JSON)")
    _add_arguments(p)
    return p


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", nargs="?", help="photo to read (omit to use only --hint/--caption)")
    p.add_argument("--hint", help='what you know, e.g. "Kazan, 1950s" or "Берлин 1945"')
    p.add_argument("--caption", help="archive caption or file name, e.g. Detroit_circa_1915.jpg")
    p.add_argument("--no-ocr", action="store_true", help="do not read writing in the image")
    p.add_argument("--clip-checkpoint", metavar="PATH_OR_TAG",
                   help="CLIP checkpoint (transformers CLIPModel folder or hub tag)")
    p.add_argument("--no-embedding", action="store_true", help="skip the MiniLM text embedding")
    p.add_argument("--indent", type=int, default=2, help="JSON indent (0 = one line)")


def run_context_command(args: argparse.Namespace,
                        open_image: Callable[[str], Image.Image] | None = None,
                        make_scene_classifier: Callable[[], SceneClassifier] | None = None
                        ) -> int:
    """Print the scene context of `args.image` and/or `args.hint`/`args.caption` as JSON.

    `open_image` reads the photo (default: PIL, after checking the file exists);
    `chronochrome context` passes the project's image loader, which reports its own errors.
    `make_scene_classifier` builds the scene classifier, only when there is a photo to look
    at. Without `--caption`, the file name is the caption: archives put place and year there
    ("Detroit_circa_1915.jpg"), and the pipeline reads it the same way.
    """
    from context.encoder import ContextEncoder

    image, caption = None, args.caption
    if args.image:
        if open_image is None and not Path(args.image).is_file():
            print(f"error: no such image file: {args.image}", file=sys.stderr)
            return 2
        image = (open_image or _open_with_pil)(args.image)
        caption = caption if caption is not None else Path(args.image).name
    elif not (args.hint or caption):
        print("error: give an IMAGE, --hint or --caption", file=sys.stderr)
        return 2
    config = ContextConfig(use_ocr=not args.no_ocr, clip_checkpoint=args.clip_checkpoint,
                           embed=not args.no_embedding)
    classifier = (make_scene_classifier() if image is not None and make_scene_classifier
                  else None)
    encoder = ContextEncoder.from_default(config, scene_classifier=classifier)
    ctx = encoder(image, hint=args.hint, caption=caption)
    print(json.dumps(ctx.to_dict(), ensure_ascii=False, indent=args.indent or None))
    return 0


def _open_with_pil(path: str) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m context", description=__doc__)
    _add_arguments(parser)
    return run_context_command(parser.parse_args(argv))
