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
service pass theirs) with the check's flag finder; `checker.pipeline(photo)` then `checker(result.image, original=photo)`
is what `chronochrome report` does for a photo of our own.

Nothing here is imported by the colorizer: the checker loads torch only when it is built.
"""

from colorizer.check.config import CheckConfig
from colorizer.check.findings import CheckReport, FactUse, Finding, LuminanceMatch

__all__ = ["CheckConfig", "CheckReport", "ColorizationChecker", "FactUse", "Finding",
           "LuminanceMatch"]


def __getattr__(name: str):
    if name == "ColorizationChecker":  # torch and the pipeline load only when asked for
        from colorizer.check.checker import ColorizationChecker

        return ColorizationChecker
    raise AttributeError(name)
