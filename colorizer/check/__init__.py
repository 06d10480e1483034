"""Check a colorization (ours or someone else's): findings with evidence and a severity, and
a plausibility report (HTML, PDF).

    from colorizer.check import ColorizationChecker
    report = ColorizationChecker.from_pretrained()("colorized.jpg", original="gray.tif",
                                                   hint="USSR 1950")
    for finding in report.findings: print(finding.severity, finding.message)

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
