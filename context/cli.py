"""The `context` subcommand: `chronochrome context IMAGE [--hint TEXT] [--caption TEXT]`.

colorizer/apps/cli.py wires it in with `add_context_parser(subparsers)` and calls
`run_context_command(args, scene_classifier=...)`; `python -m context` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from context.config import ContextConfig
from context.scene import SceneClassifier


def add_context_parser(subparsers) -> argparse.ArgumentParser:
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
                        scene_classifier: SceneClassifier | None = None) -> int:
    from PIL import Image

    from context.encoder import ContextEncoder

    image = None
    if args.image:
        path = Path(args.image)
        if not path.is_file():
            print(f"error: no such image file: {path}", file=sys.stderr)
            return 2
        image = Image.open(path)
        image.load()
        caption = args.caption
    else:
        caption = args.caption
        if not (args.hint or caption):
            print("error: give an IMAGE, --hint or --caption", file=sys.stderr)
            return 2
    config = ContextConfig(use_ocr=not args.no_ocr, clip_checkpoint=args.clip_checkpoint,
                           embed=not getattr(args, "no_embedding", False))
    encoder = ContextEncoder.from_default(config, scene_classifier=scene_classifier)
    ctx = encoder(image, hint=args.hint, caption=caption)
    print(json.dumps(ctx.to_dict(), ensure_ascii=False, indent=args.indent or None))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m context", description=__doc__)
    _add_arguments(parser)
    return run_context_command(parser.parse_args(argv))
