"""Check a colorization (ours or someone else's): findings with evidence and a severity, and
a plausibility report (HTML, PDF).

    from colorizer.check import ColorizationChecker
    report = ColorizationChecker.from_pretrained()("colorized.jpg", original="gray.tif",
                                                   hint="USSR 1950")
    for finding in report.findings: print(finding.severity, finding.message)
    report.to_dict()                                    # JSON: findings, context, facts, ...

    from colorizer.check.report_html import report_html   # the page as one HTML string
    html = report_html(report, colorized_pil, original_pil, result=None, name="photo.jpg")
    from colorizer.check.report import write_report       # .html or .pdf (headless Chromium)
    write_report("photo.report.pdf", report, colorized_pil, original_pil, result)

`ColorizationChecker(pipeline)` reuses a loaded `ColorizationPipeline` (the web page and the
service pass theirs) with the check's flag finder; `checker.pipeline(photo)` then
`checker(result.image, original=photo)` is what `chronochrome report` does for a photo of our
own.

Nothing here is imported by the colorizer's pipeline; the package's names load on first use.
"""

__all__ = ["CheckConfig", "CheckReport", "ColorizationChecker", "FactUse", "Finding",
           "LuminanceMatch"]

# Where each name lives; imported on first use, so `chronochrome --help` (which imports the
# command line of this package) loads neither numpy nor torch.
_NAMES = {"CheckConfig": "colorizer.check.config", "CheckReport": "colorizer.check.findings",
          "FactUse": "colorizer.check.findings", "Finding": "colorizer.check.findings",
          "LuminanceMatch": "colorizer.check.findings",
          "ColorizationChecker": "colorizer.check.checker"}


def __getattr__(name: str):
    if name in _NAMES:
        import importlib

        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'colorizer.check' has no attribute {name!r}")
