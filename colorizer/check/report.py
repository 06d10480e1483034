"""Write the plausibility report as HTML or PDF (the PDF is the same page, printed).

    write_report("photo.report.pdf", check, colorized, original=gray, result=result)

Why Chromium for the PDF: the HTML page is the report (the web page and the service show
it), and a headless browser prints exactly that page, images and tables included, with no
second layout to keep in step; Debian's `chromium` is one apt package (scripts/install.sh),
where a pure-Python PDF library would need the report laid out again in its own API.
`CHRONOCHROME_CHROMIUM` names another browser binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from colorizer.check.findings import CheckReport
from colorizer.check.report_html import report_html
from colorizer.check.report_images import ShownImage
from colorizer.errors import ChronochromeError
from context.user_cache import write_atomic

if TYPE_CHECKING:
    from colorizer.pipeline.print_records import AlbumPrint
    from colorizer.pipeline.result import ColorizationResult

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_S = 120


class ReportError(ChronochromeError):
    """The report could not be written (one line: what and how to fix)."""


def find_browser() -> str | None:
    """The headless browser that prints PDFs: $CHRONOCHROME_CHROMIUM, else one on PATH."""
    named = os.environ.get("CHRONOCHROME_CHROMIUM")
    if named:
        return named if Path(named).is_file() or shutil.which(named) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def html_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, no header or footer)."""
    browser = find_browser()
    if browser is None:
        raise ReportError("no Chromium found to print the PDF: install it (apt-get install "
                          "chromium, as scripts/install.sh does) or set CHRONOCHROME_CHROMIUM; "
                          "or ask for an .html report")
    with tempfile.TemporaryDirectory(prefix="chronochrome-pdf-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                   f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=PRINT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"{browser} did not print the PDF within {PRINT_TIMEOUT_S} s; "
                              "try again, or ask for an .html report") from exc
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise ReportError(f"{browser} failed to print {pdf_path} (exit {done.returncode}: "
                          f"{tail[0]}); ask for an .html report instead")
    return pdf_path


def write_report(path: str | Path, check: CheckReport, colorized: Image.Image | ShownImage,
                 original: Image.Image | ShownImage | None = None,
                 result: ColorizationResult | None = None, name: str | None = None,
                 prints: Sequence[AlbumPrint] | None = None) -> Path:
    """The report at `path`: .html (self-contained) or .pdf (the same page, printed). The
    images: PIL images, or the `ShownImage`s of the pixels the check read. `prints`: a
    split album page's (report_html's)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise ReportError(f"{path}: the report is written as .html or .pdf; name the file "
                          "so, e.g. photo.report.pdf")
    if not path.parent.is_dir():
        raise ReportError(f"{path}: folder {path.parent} does not exist; create it first")
    page = report_html(check, colorized, original, result, name or path.stem, prints=prints)
    if suffix != ".pdf":
        return write_whole(path, page.encode("utf-8"))
    with tempfile.TemporaryDirectory(prefix="chronochrome-report-") as folder:
        html_path = Path(folder) / "report.html"
        html_path.write_text(page, encoding="utf-8")
        printed = html_to_pdf(html_path, Path(folder) / "report.pdf")
        return write_whole(path, printed.read_bytes())


def write_whole(path: Path, data: bytes) -> Path:
    """`data` at `path`, written whole or not at all: an earlier file there (--overwrite) is
    replaced only once the new one is complete. On a full disk a good earlier report was
    left cut short at 4096 bytes, after a traceback."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ReportError(f"{path}: could not be written ({exc.strerror or exc}); make room on "
                          "its disk or choose another folder (nothing there was replaced)"
                          ) from exc
    return path
