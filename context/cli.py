"""The `context` subcommand: `chronochrome context IMAGE [--hint TEXT] [--caption TEXT]
[--no-filename-caption]`.

colorizer/apps/cli.py wires it in with `add_context_parser(subparsers)`, and
colorizer/apps/model_backed_commands.py calls
`run_context_command(args, open_image=..., make_scene_classifier=..., read_captions=...)`
with the colorizer's image loader, caption reader and ImageNet scene classifier (context
never imports colorizer); `python -m context` runs it alone, reading the photo with PIL as
colorize's loader reads its formats (a camera raw file refused, an ICC profile applied; a
huge JPEG at a reduced scale: context/photo_reading.py), its file name as the only caption,
and without a scene classifier. `chronochrome context` given several photos, a folder or a
table option (--format, -o, --captions) writes a table, one row a photo
(colorizer/apps/context_batch.py); the arguments for it are added here, with the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from context.argv_text import utf8_text

# Only the argument parser is needed for `chronochrome --help` and argument errors: PIL,
# numpy and the context types are imported when a command runs (tests/test_fast_start.py).
if TYPE_CHECKING:
    from PIL import Image

    from context.scene import SceneClassifier
    from context.types import Caption

    # (photo path, read the file name?) -> (the captions found, notes on what was left unread)
    CaptionReader = Callable[[str, bool], tuple[tuple[Caption, ...], tuple[str, ...]]]


def add_context_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "context", help="infer era, region and script of a photo, with evidence (JSON)")
    _add_arguments(p, many=True)
    # The loader's cap, which its refusal names ("raise the limit with --max-pixels N");
    # `python -m context` has no such cap (it reads a huge photo in gray, photo_reading.py).
    p.add_argument("--max-pixels", type=positive_int("--max-pixels 120000000"), default=None, metavar="N",
                   help="refuse photos with more pixels (default: colorize's, 50,000,000)")
    _add_batch_arguments(p)
    return p


def _add_batch_arguments(p: argparse.ArgumentParser) -> None:
    """A collection's table (colorizer/apps/context_batch.py): one row a photo."""
    p.add_argument("--format", choices=("jsonl", "csv"), default=None,
                   help="table of several photos: JSON Lines (default), or CSV with flat "
                   "columns for a spreadsheet")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="write the table to FILE (default: stdout); an existing FILE is "
                   "refused unless --overwrite")
    p.add_argument("--overwrite", action="store_true", help="replace an existing -o FILE")
    p.add_argument("--captions", type=Path, default=None, metavar="CSV",
                   help="an archive's captions: a CSV with a filename column and a caption "
                   "column (optional: date, place), each row the caption of its photo")


def positive_int(example: str) -> Callable[[str], int]:
    """An argparse type: a whole number of 1 or more, else a message showing `example` (the
    context and library commands' counts: `--max-pixels`, `-k`)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more; "
                                             f"write e.g. {example}")
        return value
    return parse


# The letter-shape classifier's weight when asked for: eval/shape_rule.py's choice.
LETTER_SHAPES_WEIGHT = 0.5


def _add_arguments(p: argparse.ArgumentParser, many: bool = False) -> None:
    if many:  # chronochrome context: photos and folders, a table of them (context_batch.py)
        p.add_argument("image", nargs="*", metavar="PATH",
                       help="photo to read (omit to use only --hint/--caption); several "
                       "photos or folders give one row a photo (--format)")
    else:
        p.add_argument("image", nargs="?",
                       help="photo to read (omit to use only --hint/--caption)")
    p.add_argument("--hint", type=utf8_text,
                   help='what you know, e.g. "Kazan, 1950s" or "Берлин 1945"')
    p.add_argument("--caption", type=utf8_text,
                   help="archive caption, e.g. 'Detroit, circa 1915' (replaces the "
                   "captions read with the photo)")
    p.add_argument("--no-filename-caption", action="store_true",
                   help="do not read the photo's file name as a caption")
    p.add_argument("--no-ocr", action="store_true", help="do not read writing in the image")
    p.add_argument("--clip-checkpoint", metavar="PATH_OR_TAG",
                   help="CLIP checkpoint (transformers CLIPModel folder or hub tag)")
    p.add_argument("--no-embedding", action="store_true", help="skip the MiniLM text embedding")
    p.add_argument("--letter-shapes", action="store_true",
                   help="let the shapes of letters no reader could read name their script "
                   f"(weight {LETTER_SHAPES_WEIGHT}; off by default, see README)")
    p.add_argument("--indent", type=int, default=2, help="JSON indent (default 2; 0 = one line)")


def _one_photo(args: argparse.Namespace) -> argparse.Namespace | None:
    """`args` with add_context_parser's PATH list as one photo (or none); None, told on
    stderr, for several (a table is `chronochrome context`'s, context_batch.py)."""
    if not isinstance(args.image, list):
        return args
    if len(args.image) > 1:
        print("error: several photos make a table: run them through `chronochrome "
              "context`, which writes one row a photo", file=sys.stderr)
        return None
    return argparse.Namespace(**{**vars(args), "image": (args.image or [None])[0]})


def run_context_command(args: argparse.Namespace,
                        open_image: Callable[[str], Image.Image] | None = None,
                        make_scene_classifier: Callable[[], SceneClassifier] | None = None,
                        read_captions: CaptionReader | None = None) -> int:
    """Print the scene context of `args.image` and/or `args.hint`/`args.caption` as JSON;
    the captions read, with their sources, also on stderr.

    `open_image` reads the photo (default: PIL, after checking the file exists);
    `chronochrome context` passes the project's image loader, which reports its own errors.
    `make_scene_classifier` builds the scene classifier, only when there is a photo to look
    at. Without `--caption`, `read_captions(path, filename)` finds the photo's captions and
    notes on what it left unread; `chronochrome context` reads the file's metadata, its
    sidecar and its name as the pipeline does. The default reads the file name only
    (archives put place and year there: "Detroit_circa_1915.jpg"), unless
    `--no-filename-caption`.
    """
    from context.config import ContextConfig
    from context.encoder import ContextEncoder
    from context.photo_reading import PhotoRefused, ReadPhoto, photo_pixels, read_photo

    args = _one_photo(args)
    if args is None:
        return 2
    image, captions, notes, read = None, (), (), ReadPhoto(None)
    if args.image:
        if open_image is None and not Path(args.image).is_file():
            print(f"error: no such image file: {args.image}", file=sys.stderr)
            return 2
        # A huge JPEG is read at a reduced scale (context/photo_reading.py).
        try:
            read = (read_photo(args.image) if open_image is None
                    else ReadPhoto(open_image(args.image)))
        except (PhotoRefused, OSError, SyntaxError) as exc:
            # open_image (chronochrome context) raises its own one-line errors; PIL's reader
            # raises OSError for a file it cannot identify or a truncated one, SyntaxError
            # for a broken PNG chunk.
            print(f"error: {_reason(exc, args.image)}", file=sys.stderr)
            return 2
        image = read.image
        if args.caption is None:
            captions, notes = (read_captions or _file_name_caption)(
                args.image, not args.no_filename_caption)
        notes = (*notes, read.note) if read.note else notes
    elif not (args.hint or args.caption):
        print("error: give an IMAGE, --hint or --caption", file=sys.stderr)
        return 2
    config = ContextConfig(use_ocr=not args.no_ocr, clip_checkpoint=args.clip_checkpoint,
                           embed=not args.no_embedding,
                           shape_weight=LETTER_SHAPES_WEIGHT if args.letter_shapes else 0.0)
    classifier = (make_scene_classifier() if image is not None and make_scene_classifier
                  else None)
    encoder = ContextEncoder.from_default(config, scene_classifier=classifier)
    ctx = encoder(image, hint=args.hint, caption=args.caption, captions=captions)
    for used in ctx.captions:
        print(f"caption ({used.source}): {used.text}", file=sys.stderr)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(json.dumps(photo_pixels(ctx.to_dict(), read.scale), ensure_ascii=False,
                     indent=args.indent or None))
    return 0


def _reason(exc: Exception, path: str) -> str:
    """One line for a photo that cannot be read."""
    from context.photo_reading import PhotoRefused

    if isinstance(exc, PhotoRefused):
        return str(exc)  # it names the file and the fix (too large, a camera raw file)
    return (f"{path}: the photo cannot be read ({exc}); give a complete JPEG, PNG or TIFF "
            "file")


def _file_name_caption(path: str, filename: bool
                       ) -> tuple[tuple[Caption, ...], tuple[str, ...]]:
    from context.types import Caption

    return ((Caption(Path(path).name, "filename"),) if filename else ()), ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m context", description=__doc__)
    _add_arguments(parser)
    return run_context_command(parser.parse_args(argv))
