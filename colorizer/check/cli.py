"""`chronochrome check` and `chronochrome report`: the command lines of colorizer.check.

    chronochrome check COLORIZED [--original GRAY] [--hint TEXT] [--json OUT.json]
                                 [--report OUT.html|OUT.pdf]
    chronochrome report PHOTO -o OUT.html|OUT.pdf [--hint TEXT]   # colorize, check, report

Exit codes of `check`: 0 no finding, 1 at least one finding (printed, one a line), 2 the
check could not run (bad input, a missing file: one line saying what and how to fix).
Arguments are checked before torch is imported, so --help and typos answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from colorizer.errors import ChronochromeError
from context.argv_text import utf8_text

EXIT_PASSED, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
REPORT_SUFFIXES = (".html", ".htm", ".pdf")


def add_check_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check", help="check a colorization: findings with evidence and a severity",
        description="Check a colorization (anyone's): colors that contradict documented "
                    "flags and uniforms of the photo's place and period, colors our model "
                    "finds very unlikely, unlikely skin, isolated blobs, and (with --original) "
                    "whether its lightness matches the original's. Exit code: 0 no finding, "
                    "1 findings, 2 error.")
    p.add_argument("colorized", type=Path, help="the colorized image")
    p.add_argument("--original", type=Path, help="the black-and-white original it was made from")
    p.add_argument("--hint", type=utf8_text, help="free-text context, e.g. 'USSR 1950'")
    p.add_argument("--caption", type=utf8_text, help="an archive caption describing the photo")
    p.add_argument("--json", type=Path, metavar="OUT.json", help="write the findings as JSON")
    p.add_argument("--report", type=Path, metavar="OUT.html|OUT.pdf",
                   help="write the plausibility report (HTML, or PDF through Chromium)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--weights", type=Path, default=None,
                   help="a folder written by save_pretrained (default: embedded weights)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the --json and --report files if they exist")
    _max_pixels(p)
    p = sub.add_parser(
        "report", help="colorize a photo, check it and write its plausibility report",
        description="Colorize a black-and-white photo, check the colorization and write the "
                    "plausibility report (images, context with evidence, exemplars and hints "
                    "with sources, findings, provenance).")
    p.add_argument("photo", type=Path, help="the black-and-white photo")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="OUT.html|OUT.pdf",
                   help="the report to write: .html (images embedded) or .pdf (through "
                        "Chromium); an existing file needs --overwrite")
    p.add_argument("--hint", type=utf8_text, help="free-text context, e.g. 'Kazan 1950s'")
    p.add_argument("--caption", type=utf8_text, help="an archive caption describing the photo")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--weights", type=Path, default=None,
                   help="a folder written by save_pretrained (default: embedded weights)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    _max_pixels(p)


def _max_pixels(p: argparse.ArgumentParser) -> None:
    # The loader's error for a huge file advises --max-pixels: the check must accept it.
    p.add_argument("--max-pixels", type=int, default=None,
                   help="refuse inputs with more pixels (default 50,000,000)")


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise ChronochromeError(f"{what} {path}: no such file; check the path")
    if path.is_dir():
        raise ChronochromeError(f"{what} {path}: is a folder; give one image file")


def _require_output(path: Path | None, what: str, suffixes: tuple[str, ...],
                    overwrite: bool) -> None:
    """Checked before any work: a run never ends in a write that fails, nor replaces a file
    the user has without being told to."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise ChronochromeError(f"{what} {path}: name it with one of {', '.join(suffixes)}")
    if not path.parent.is_dir():
        raise ChronochromeError(f"{what} {path}: folder {path.parent} does not exist; "
                                "create it first")
    if path.is_dir():
        raise ChronochromeError(f"{what} {path}: is a folder; give a file name inside it, "
                                f"e.g. {path / ('report' + suffixes[0])}")
    if path.exists() and not overwrite:
        raise ChronochromeError(f"{what} {path}: exists; pass --overwrite to replace it, or "
                                "give another name")


def _checker(args: argparse.Namespace):
    if args.weights is not None and not (args.weights / "model.safetensors").is_file():
        raise ChronochromeError(f"--weights {args.weights}: not a folder holding "
                                "model.safetensors; give a folder written by save_pretrained")
    from colorizer.check.checker import ColorizationChecker

    settings = {} if args.max_pixels is None else {"max_pixels": args.max_pixels}
    return ColorizationChecker.from_pretrained(args.weights, device=args.device, **settings)


def run_check(args: argparse.Namespace) -> int:
    _require_file(args.colorized, "COLORIZED")
    if args.original is not None:
        _require_file(args.original, "--original")
    _require_output(args.json, "--json", (".json",), args.overwrite)
    _require_output(args.report, "--report", REPORT_SUFFIXES, args.overwrite)
    checker = _checker(args)
    colorized, original = _decoded_once(checker, args)
    report = _checked(checker, args, colorized.checked,
                      None if original is None else original.checked)
    # What the report shows; the decodes kept for the check are let go before it is written.
    colorized, original = colorized.shown, None if original is None else original.shown
    for finding in report.findings:
        print(f"{finding.severity:6s} {finding.kind:10s} {finding.message}")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json is not None:
        from colorizer.check.report import write_whole  # loaded when needed, as _write does

        write_whole(args.json, (json.dumps(_shareable(report.to_dict(), args), indent=1,
                                           ensure_ascii=False) + "\n").encode("utf-8"))
    if args.report is not None:  # the pixels the check read (report_inputs.py)
        from colorizer.check.report_prints import recorded_prints  # an album page's prints

        _write(args.report, report, colorized, original, None, args.colorized.name,
               prints=recorded_prints(args.colorized))
    print("no finding" if report.passed else f"{len(report.findings)} finding(s)")
    return EXIT_PASSED if report.passed else EXIT_FINDINGS


def _decoded_once(checker, args: argparse.Namespace):
    """The files as the check takes them and the report shows them: each decoded once by
    the loader for both where it can be (colorizer.check.report_inputs); without --report,
    their paths, which the check decodes."""
    from colorizer.check.report_inputs import CheckedFile, decoded_pair

    if args.report is None:
        return (CheckedFile(args.colorized, None),
                None if args.original is None else CheckedFile(args.original, None))
    return decoded_pair(args.colorized, args.original, checker.pipeline.config.max_pixels)


def _checked(checker, args: argparse.Namespace, colorized, original):
    """The check of `colorized` (args.colorized, or its decode) beside `original`, with the
    hint and captions the colorization records of its making where the user gave none
    (colorizer.check.recorded); the report says where each came from."""
    from dataclasses import replace

    from colorizer.check.recorded import recorded_context

    recorded = recorded_context(args.colorized)
    if recorded is None:
        return checker(colorized, original=original, hint=args.hint, caption=args.caption)
    hint, caption, used = recorded.merged(args.hint, args.caption)
    report = checker(colorized, original=original, hint=hint, caption=caption)
    note = recorded.note(used)
    return replace(report, context_from=used,
                   notes=(note, *report.notes) if note else report.notes)


def _shareable(data: dict, args: argparse.Namespace) -> dict:
    """The --json findings as they are sent to others: the weights folder and the files
    checked by their names, without local folders; URLs without tokens."""
    from colorizer.pipeline.result import shareable_json

    model = data.get("settings", {}).get("model", {})
    return shareable_json(data, [model.get("path"), str(args.colorized),
                                 str(args.original) if args.original else None])


def run_report(args: argparse.Namespace) -> int:
    _require_file(args.photo, "PHOTO")
    _require_output(args.out, "-o", REPORT_SUFFIXES, args.overwrite)
    checker = _checker(args)
    result, original, shown = _colorized_once(checker, args)
    report = checker(result.image, original=original, hint=args.hint, caption=args.caption,
                     gray_ok=True)
    del original
    _write(args.out, report, result.image, shown, result, args.photo.name)
    for note in result.notes:  # as colorize prints them: a hint not used, a gray output
        print(f"note: {_for_report(note, args)}", file=sys.stderr)
    print(f"{len(report.findings)} finding(s); report written to {args.out}")
    return EXIT_PASSED


def _colorized_once(checker, args: argparse.Namespace):
    """The photo colorized from one decode, which the check reads again and the report shows
    (the pipeline, the check and the report each decoded it: three decodes of a 108 MP
    scan). A decode over HOLD_BYTES goes to the check as its path: kept, it would stay up
    through the check, whose own decode is let go after lining up (report_inputs.py)."""
    from colorizer.check.report_images import ShownImage
    from colorizer.check.report_inputs import HOLD_BYTES
    from colorizer.pipeline.imageio import load_image
    from colorizer.pipeline.text_inputs import check_text

    check_text(hints=args.hint, caption=args.caption)  # before the photo, as the pipeline does
    photo = load_image(args.photo, max_pixels=checker.pipeline.config.max_pixels)
    shown = ShownImage.of(photo)
    result = checker.pipeline(photo, hints=args.hint, caption=args.caption)
    return result, photo if photo.pixels.nbytes <= HOLD_BYTES else args.photo, shown


# Options the pipeline's notes advise that only `colorize` takes: typed after `report` they
# were a usage error, so the note says which commands do take them.
COLORIZE_ONLY = ("--chroma-scale", "--point")


def _for_report(note: str, args: argparse.Namespace) -> str:
    if not any(option in note for option in COLORIZE_ONLY):
        return note
    return (f"{note} (options of `chronochrome colorize`: colorize {args.photo.name} with "
            f"them, then `chronochrome check COLORIZED --original {args.photo.name} --report "
            f"{args.out.name}` writes its report)")


def _write(path: Path, report, colorized, original, result, name: str,
           max_pixels: int | None = None, prints=None) -> None:
    """The report at `path`. Images: PIL images or report_images.ShownImages; one given as a
    path is read here by the loader (the pixels a check reads: turned, in sRGB). `prints`:
    a split album page's, as its file records them (default: the result's)."""
    from colorizer.check.report import write_report
    from colorizer.check.report_images import ShownImage
    from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS, load_image

    def shown(image):
        if image is None or not isinstance(image, str | Path):
            return image
        return ShownImage.of(load_image(image, max_pixels=max_pixels or DEFAULT_MAX_PIXELS))

    write_report(path, report, shown(colorized), shown(original), result, name, prints)


def run_command(args: argparse.Namespace) -> int:
    """Run `check` or `report`; errors become one line and exit code 2."""
    try:
        return run_check(args) if args.command == "check" else run_report(args)
    except ChronochromeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
