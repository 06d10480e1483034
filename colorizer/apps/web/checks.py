"""Checking colorizations from the workbench, and the plausibility report of an open photo.

    checks = WebChecks(workbench)
    checks.own(photo_id)                      # the check of this photo's colorization (JSON)
    checks.other(colorized, original, hint)   # someone else's colorization (JSON)
    checks.report_html(photo_id), checks.report_pdf(photo_id)

The checker (`colorizer.check.ColorizationChecker`) is built on first use from the
workbench's pipeline, once per app: a workbench that never checks loads nothing more. It
runs under the workbench's run lock (one model call at a time, as for colorizing).

Memory stays bounded: a check of someone else's colorization keeps nothing after it answers;
the check of an open photo's colorization is kept with the photo (one per photo, replaced
when the photo is colorized again), so the report reuses it. Our own colorization is checked
at display size (`WebConfig.display_side`), against the original at that size: the
workbench holds no full-resolution array, and the model reads the colors at its render size
(smaller still) anyway.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colorizer.apps.web.opening import OpenError, check_size
from colorizer.pipeline.negative import as_positive

if TYPE_CHECKING:
    from colorizer.apps.web.photos import Photo
    from colorizer.apps.web.workbench import Workbench
    from colorizer.check.checker import ColorizationChecker
    from colorizer.check.findings import CheckReport


class WebChecks:
    def __init__(self, bench: Workbench) -> None:
        self.bench = bench
        self._checker: ColorizationChecker | None = None
        self._build_lock = threading.Lock()
        self._print_lock = threading.Lock()  # one Chromium printing at a time

    def checker(self) -> ColorizationChecker:
        with self._build_lock:
            if self._checker is None:
                from colorizer.check.checker import ColorizationChecker

                self._checker = ColorizationChecker(self.bench.pipeline)
            return self._checker

    def own(self, photo_id: str) -> dict[str, Any]:
        """The check of the open photo's last colorization, as the page shows it."""
        photo = self.bench.photos.get(photo_id)
        return {**check_view(self._own_report(photo)), "source": "own",
                "photo": photo.view(), "version": photo.version}

    def other(self, colorized: bytes, name: str, original: bytes | None = None,
              original_name: str = "original", original_photo: str = "",
              hint: str = "") -> dict[str, Any]:
        """Someone else's colorization against an uploaded original, the open photo
        (`original_photo`: its id; full size, as its last colorization read it: a scanned
        negative's positive once colorized as a negative) or none."""
        if original is not None and original_photo:
            raise OpenError("two_originals", "give the original as a file or use the open "
                            "photo, not both")
        if len(hint) > 500:
            raise OpenError("text_too_long", f"the hint is {len(hint)} characters; keep it "
                            "under 500")
        config = self.bench.config
        color = self.bench.load(check_size(colorized, name, config), name)
        if not color.is_color and original is None and not original_photo:
            raise OpenError("no_color", f"{name}: has no color; give the colorized image "
                            "here, and its black-and-white original as the original (a "
                            "colorization that came out gray is checked with its original)")
        gray = None
        if original is not None:
            gray = self.bench.load(check_size(original, original_name, config), original_name)
        elif original_photo:
            photo = self.bench.photos.get(original_photo)
            # As the workbench reads it: a negative's positive (full size), as for our own.
            gray = as_positive(self.bench.load(photo.data, photo.name), read_as_negative(photo))
        report = self._run(color, gray, hint.strip() or None)
        return {**check_view(report), "source": "other", "name": name}

    def report_html(self, photo_id: str) -> str:
        from colorizer.check.report_html import report_html

        photo = self.bench.photos.get(photo_id)
        report = self._own_report(photo)
        done = photo.rendering
        original = read_original(photo)  # a negative's positive: its caption says so
        return report_html(report, done.colorized, original.convert("RGB"), done.result,
                           photo.name, negative=original is not photo.original)

    def report_pdf(self, photo_id: str) -> bytes:
        """The same page printed by headless Chromium; without one, an error that says so."""
        from colorizer.check.report import ReportError, html_to_pdf

        page = self.report_html(photo_id)
        with self._print_lock, tempfile.TemporaryDirectory(prefix="chronochrome-web-") as tmp:
            html_path, pdf_path = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
            html_path.write_text(page, encoding="utf-8")
            try:
                html_to_pdf(html_path, pdf_path)
            except ReportError as exc:
                raise OpenError("pdf_unavailable", str(exc), 503) from None
            return pdf_path.read_bytes()

    def _own_report(self, photo: Photo) -> CheckReport:
        with photo.lock:
            done = photo.rendering
            if done is None:
                raise OpenError("not_colorized", f"photo {photo.id} is not colorized yet; "
                                "colorize it first", 409)
            if photo.checked is None or photo.checked[0] != photo.version:
                hint = done.result.settings.get("hints") or None
                report = self._run(done.colorized, read_original(photo), hint, gray_ok=True)
                photo.checked = (photo.version, report)
            return photo.checked[1]

    def _run(self, colorized: Any, original: Any, hint: str | None,
             gray_ok: bool = False) -> CheckReport:
        from colorizer.check.checker import CheckInputError

        checker = self.checker()
        try:
            with self.bench.run_lock:
                return checker(colorized, original=original, hint=hint, gray_ok=gray_ok)
        except CheckInputError as exc:
            raise OpenError("not_comparable", str(exc)) from None


def read_original(photo: Photo) -> Any:
    """The original (display size) as its colorization read it: a scanned negative's positive
    gray (`Photo.positive`, the slider's "before": the same picture on the page, in the check
    and in the report) when it was colorized as a negative, else the photo as given. Compared
    with the negative itself every tone was reversed, and the check said the lightness did
    not match."""
    if read_as_negative(photo) and photo.positive is not None:
        return photo.positive
    return photo.original


def read_as_negative(photo: Photo) -> bool:
    """Whether the photo's last colorization read it as a scanned negative (the page's "This
    is a negative" as that run had it)."""
    return photo.rendering is not None and bool(photo.rendering.result.settings.get("negative"))


def luminance_verdict(report: CheckReport) -> str:
    """One plain sentence on whether the colorization kept the original's lightness."""
    match = report.luminance
    if match is None:
        return "No original was given, so the lightness was not compared with it."
    config = report.settings
    figures = (f"mean |ΔL*| {match.mean_abs:.1f}, 99th percentile {match.p99_abs:.1f}; "
               f"tolerance {config.get('luminance_mean')} and {config.get('luminance_p99')}")
    if match.matches:
        return f"The lightness matches the original ({figures})."
    if match.detail_only:  # "its tones were changed" was wrong: only edges differ
        return (f"The tones match the original; only fine detail differs ({figures}): "
                "sharpened, denoised, upscaled or compressed, not retouched.")
    return (f"The lightness does not match the original ({figures}): its tones were "
            "changed, retouched or come from another scan.")


def check_view(report: CheckReport) -> dict[str, Any]:
    """The JSON the page shows: the check's own (`CheckReport.to_dict`) and the verdict."""
    data = report.to_dict()
    view = {"passed": data["passed"], "findings": data["findings"], "size": data["size"],
            "luminance": data["luminance"], "luminance_verdict": luminance_verdict(report),
            "notes": data["notes"], "hint": data["hint"],
            "facts": [{"title": f["title"], "source": f["source"]} for f in data["facts"]]}
    if report.composite is not None:  # a before/after composite: the page outlines its panel
        from colorizer.check.composite import checked_panel  # torch: only once checking

        view["composite"] = {**report.composite, "checked": checked_panel(report.composite)}
    return view
