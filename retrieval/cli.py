"""The `library` subcommand: build exemplar libraries and see what a query retrieves.

    chronochrome library build --default                     # curated library -> cache
    chronochrome library build FOLDER --metadata CSV --out DIR [--era 1905-1915]
                               [--region "Russian Empire"] [--overwrite]
                               [--allow-outside-folder] [--max-pixels N]
    chronochrome library search --hint "USSR 1950" [--image IMAGE] [--library DIR] --json

colorizer/apps/cli.py wires it in with `add_library_parser(subparsers)`, and
colorizer/apps/model_backed_commands.py calls
`run_library_command(args, visual_embedder=LuminanceEncoderEmbedder())`. `python -m retrieval`
runs it alone, without a visual embedder (text and metadata only).

`build` writes only into a new or empty folder, or over a library it wrote when given
`--overwrite` (replacing only the library's own files); it refuses, before any work, a folder
holding anything else and an --out that is the source folder, lies inside it or contains it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from context.argv_text import utf8_text
from context.cli import positive_int

# The parser alone (`chronochrome --help`) imports none of these (tests/test_fast_start.py).
if TYPE_CHECKING:
    from PIL import Image

    from context.types import SceneContext
    from retrieval.embedders import TextEmbedder, VisualEmbedder
    from retrieval.library import ExemplarLibrary
    from retrieval.regions import RegionResolver


def add_library_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("library", help="build and search exemplar libraries")
    _add_arguments(p)
    return p


def _add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="library_command", required=True)
    b = sub.add_parser("build", help="build a library from an archive folder, or the default one")
    b.add_argument("folder", nargs="?", help="folder of color photos (with --metadata)")
    b.add_argument("--metadata", metavar="CSV", help="one row per image: file, title, era, "
                   "region, source, license (common column names are recognised)")
    b.add_argument("--out", metavar="DIR", help="library folder to write (default: "
                   "./library-<FOLDER name>; for --default: the cache)")
    b.add_argument("--default", action="store_true", help="build the curated default library")
    b.add_argument("--era", help='years for rows without any, e.g. "1905-1915"')
    b.add_argument("--region", help='region for rows without one, e.g. "Russian Empire"')
    b.add_argument("--kind", default="photo",
                   help="exemplar kind of the archive's images (default photo)")
    b.add_argument("--source", help="citation for rows without a source column")
    b.add_argument("--license", help="license for rows without a license column")
    b.add_argument("--id-prefix", default="", help="prefix for exemplar ids (file stems)")
    b.add_argument("--allow-outside-folder", action="store_true",
                   help="let the CSV name images outside FOLDER (../x.jpg, absolute paths); "
                        "by default such a row is skipped, so a CSV from elsewhere cannot "
                        "copy other files into the library")
    b.add_argument("--max-pixels", type=positive_int("--max-pixels 120000000"), metavar="N",
                   default=None, help="skip an archive's photos with more pixels (default: "
                   "colorize's, 50,000,000; not with --default, which reads no photos); the "
                   "library keeps 512 px of each, so one past that default is read reduced")
    b.add_argument("--no-visual", action="store_true", help="build without the visual index")
    b.add_argument("--overwrite", action="store_true", help="replace the library already in "
                   "--out (only its own files; a folder holding anything else is refused)")
    s = sub.add_parser("search", help="show what a hint and/or image would retrieve")
    s.add_argument("--hint", type=utf8_text,
                   help='what you know, e.g. "USSR 1950" or "Kazan, 1950s"')
    s.add_argument("--image", metavar="IMAGE", help="search by the photo's luminance features "
                   "(alone: the most similar-looking exemplars; the colorizer gets exemplars "
                   "only for a context with an era, a region or a hint)")
    s.add_argument("--library", default="default", help="library folder (default: curated)")
    s.add_argument("-k", type=positive_int("-k 5"), default=5,
                   help="how many exemplars (1 or more; default 5)")
    s.add_argument("--json", action="store_true", help="print JSON")


def run_library_command(args: argparse.Namespace,
                        visual_embedder: VisualEmbedder | None = None) -> int:
    try:
        if args.library_command == "build":
            return _build(args, visual_embedder)
        return _search(args, visual_embedder)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _resolver() -> RegionResolver:
    from context.config import ContextConfig
    from context.gazetteer import load_gazetteer
    from retrieval.regions import RegionResolver

    return RegionResolver(load_gazetteer(ContextConfig().data_dir))


def _text_embedder() -> TextEmbedder:
    from context.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


def _build(args: argparse.Namespace, visual_embedder: VisualEmbedder | None) -> int:
    from retrieval.knowledge import default_library

    visual = None if args.no_visual else visual_embedder
    t0 = time.perf_counter()
    if not args.default:
        return _build_archive(args, visual, t0)
    problem = _default_problem(args) or (
        _out_problem(Path(args.out), None, args.overwrite) if args.out else None)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    library = default_library(_text_embedder(), visual, _resolver(), folder=args.out,
                              rebuild=True)
    _print_built(library, time.perf_counter() - t0)
    return 0


# What only an archive's build reads (argparse dest, as typed); --default renders its exemplars
# (flags, cloth) from the knowledge base and reads no photo, so these would be ignored.
_ARCHIVE_ONLY = (("folder", "FOLDER"), ("metadata", "--metadata"), ("era", "--era"),
                 ("region", "--region"), ("source", "--source"), ("license", "--license"),
                 ("id_prefix", "--id-prefix"), ("allow_outside_folder", "--allow-outside-folder"),
                 ("max_pixels", "--max-pixels"))


def _default_problem(args: argparse.Namespace) -> str | None:
    """Archive options given with --default: refused, not ignored (`--default --max-pixels N`
    was accepted and built the curated library as without it)."""
    given = [f"FOLDER {args.folder}" if dest == "folder" else flag
             for dest, flag in _ARCHIVE_ONLY if getattr(args, dest, None)]
    given += ["--kind"] if args.kind != "photo" else []
    if not given:
        return None
    return (f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to an archive's "
            "build (FOLDER --metadata CSV) only; --default renders the curated library's "
            "exemplars (flags, cloth) and reads no photos: drop "
            f"{'it' if len(given) == 1 else 'them'}, or build the archive without --default")


def _archive_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the archive build's arguments as a whole (checked before any
    work; each is an `error:` line and exit code 2), or None."""
    from retrieval.archive import parse_era
    from retrieval.types import KINDS

    if not args.folder or not args.metadata:
        return "give FOLDER and --metadata CSV (or --default)"
    folder, metadata = Path(args.folder), Path(args.metadata)
    if not folder.is_dir():
        return f"no such folder: {folder}"
    if not metadata.is_file():
        why = "a folder, not a CSV file" if metadata.is_dir() else "no such file"
        return f"--metadata {args.metadata}: {why}; check the path"
    if args.era and parse_era(args.era) is None:
        return f"--era {args.era!r} has no year; write e.g. 1905-1915"
    if args.kind not in KINDS:
        return f"--kind {args.kind!r} is not one of {', '.join(KINDS)}"
    return _out_problem(Path(args.out or f"library-{folder.name}"), folder, args.overwrite)


def _build_archive(args: argparse.Namespace, visual: VisualEmbedder | None, t0: float) -> int:
    """Build the archive's library, a bad row skipped with one `error:` line naming it; then
    a summary line. Exit code as `chronochrome colorize`'s: 0 every row added, 1 some
    skipped (the library holds the rest), 1 with nothing written where no row was usable
    (an earlier library in `out` stays as it was)."""
    from context.photo_reading import MAX_PIXELS
    from retrieval.archive import ArchiveDefaults, archive_records, parse_era
    from retrieval.library import ExemplarLibrary

    problem = _archive_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    folder, metadata = Path(args.folder), Path(args.metadata)
    out = Path(args.out or f"library-{folder.name}")
    defaults = ArchiveDefaults(era=parse_era(args.era) if args.era else None,
                               region=args.region, kind=args.kind, source=args.source,
                               license=args.license, id_prefix=args.id_prefix)
    skipped = 0

    def skip(message: str) -> None:
        nonlocal skipped
        skipped += 1
        print("error: " + " ".join(message.split()) + " (row skipped)", file=sys.stderr)

    records = archive_records(folder, metadata, _resolver(), defaults, on_note=_note,
                              on_skip=skip, outside_ok=args.allow_outside_folder,
                              max_pixels=args.max_pixels or MAX_PIXELS, color_only=True)
    first = next(records, None)  # before any writing: no usable row leaves `out` alone
    if first is None:
        print(f"0 added, {skipped} skipped: no row of {metadata} was usable; nothing was "
              f"written to {out}", file=sys.stderr)
        return 1
    library = ExemplarLibrary.build(out, itertools.chain([first], records), _text_embedder(),
                                    visual, name=folder.name, version="archive-1")
    _print_built(library, time.perf_counter() - t0, skipped)
    print(f"{len(library)} added, {skipped} skipped -> {library.root}", file=sys.stderr)
    return 1 if skipped else 0


def _print_built(library: ExemplarLibrary, seconds: float, skipped: int = 0) -> None:
    print(json.dumps({"library": str(library.root), "count": len(library),
                      "skipped": skipped,
                      "text_embedder": library.info.text_embedder,
                      "visual_embedder": library.info.visual_embedder,
                      "seconds": round(seconds, 2)}, indent=1))


def _note(note: str) -> None:
    """What reading the metadata assumed (its code page, columns not read), on one line."""
    print("note: " + " ".join(note.split()), file=sys.stderr)


def _out_problem(out: Path, source: Path | None, overwrite: bool) -> str | None:
    """Why `library build` must not write `out` (checked before any work), or None."""
    from retrieval.library import is_library

    if source is not None:
        out_r, source_r = out.resolve(), source.resolve()
        if out_r == source_r or source_r in out_r.parents:
            return (f"--out {out} is the source folder or inside it; the library would mix "
                    "with (and could replace) the photos: choose a folder outside it")
        if out_r in source_r.parents:
            return (f"the source folder {source} lies inside --out {out}; choose an --out "
                    "folder that does not contain the photos")
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file; choose a folder"
    if not out.is_dir() or not any(out.iterdir()):
        return None
    if not is_library(out):
        return (f"--out {out} is not empty and is not an exemplar library; choose a new or "
                "empty folder (nothing was written)")
    if not overwrite:
        return (f"--out {out} already holds an exemplar library; pass --overwrite to replace "
                "it, or choose another folder")
    return None


def _search(args: argparse.Namespace, visual_embedder: VisualEmbedder | None) -> int:
    from context.config import ContextConfig
    from context.encoder import ContextEncoder
    from retrieval.retriever import ExemplarRetriever, RetrieverConfig

    if not (args.hint or args.image):
        print("error: give --hint TEXT and/or --image IMAGE", file=sys.stderr)
        return 2
    image = None
    if args.image:
        if visual_embedder is None:
            print("error: image search needs a visual embedder; run it as `chronochrome "
                  "library search --image ...` (python -m retrieval is text-only)",
                  file=sys.stderr)
            return 2
        path = Path(args.image)
        if not path.is_file():
            print(f"error: no such image file: {path}", file=sys.stderr)
            return 2
        image = _open_image(path)
    t0 = time.perf_counter()
    # The config colorize --library DIR uses (a user library's era tolerance included).
    retriever = ExemplarRetriever.from_default(visual_embedder if image else None,
                                               config=RetrieverConfig(library=args.library))
    load_s = time.perf_counter() - t0
    context = None
    if args.hint:
        encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
        context = encoder(None, hint=args.hint)
        _note_unused_hint(context, image is not None)
    t1 = time.perf_counter()
    if args.hint:
        hits = retriever(context, image=image, k=args.k, query_text=args.hint)
    else:  # the look of the photo alone: browsing, not what the colorizer would get
        hits = retriever.search_image(image, k=args.k)
    search_ms = (time.perf_counter() - t1) * 1000
    if args.json:
        print(json.dumps({"query": _query_json(args, context),
                          "library": str(retriever.library.root),
                          "count": len(retriever.library), "load_seconds": round(load_s, 2),
                          "search_ms": round(search_ms, 2),
                          "results": [hit.to_dict() for hit in hits]},
                         ensure_ascii=False, indent=1))
    else:
        for rank, hit in enumerate(hits, 1):
            e = hit.exemplar
            print(f"{rank}. {hit.score:.3f}  {e.id}  {e.title}")
            print(f"   {'; '.join(hit.why)}")
            print(f"   colors: {', '.join(c.name + ' ' + c.srgb for c in e.colors)}")
            print(f"   source: {e.source}")
    return 0


def _open_image(path: Path) -> Image.Image:
    """The --image photo, or a ValueError naming the file (reported as one `error:` line).
    Read as `python -m context` reads it (context/photo_reading.py): its size checked from the
    header (no "DecompressionBombWarning" past 89 MP, a bomb refused in one line), a huge one
    in gray (the search reads luminance only)."""
    from PIL import UnidentifiedImageError

    from context.photo_reading import PhotoTooLarge, read_photo

    try:
        image = read_photo(path).image
    except PhotoTooLarge as e:
        raise ValueError(str(e)) from e
    except UnidentifiedImageError as e:
        raise ValueError(f"{path} is not an image (not a format PIL reads, e.g. JPEG, PNG, "
                         "TIFF); give a photo file") from e
    except OSError as e:
        raise ValueError(f"{path}: the image cannot be read ({e}); give a complete photo "
                         "file") from e
    return image


def _note_unused_hint(context: SceneContext, with_image: bool) -> None:
    """A hint with no year, period or place in it: colorize reports it and does not use it.
    Search still ranks by it, as a text query (browsing by words such as "navy uniform" is
    useful), and says so: no era or place filters or scores these results."""
    note = context.unknown.get("hint")
    if note:
        by = "text similarity to the hint and the image's look" if with_image else \
            "text similarity to the hint"
        print(f"note: hint not used as context: {note}; results are ranked by {by} only "
              "(no era or place), and colorize would not use this hint", file=sys.stderr)


def _query_json(args: argparse.Namespace, context: SceneContext | None) -> dict[str, Any]:
    """What was searched for, as `library search --json` reports it."""
    era = context.era if context else None
    region = context.region if context else None
    return {"hint": args.hint, "image": args.image,
            "era": era and {"start": era.start, "end": era.end, "confidence": era.confidence},
            "region": region and region.name,
            "description": context.description if context else None,
            "hint_note": context.unknown.get("hint") if context else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(parser)
    return run_library_command(parser.parse_args(argv))
