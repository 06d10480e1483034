"""The workbench's routes for checking colorizations and for the plausibility report:

    POST /api/check                        someone else's colorization: multipart `file`, and
                                           optionally `original` (a file) or `original_photo`
                                           (the id of an open photo), `hint`
    POST /api/photos/{id}/check            this photo's colorization
    GET  /api/photos/{id}/report.html      the plausibility report (a page of its own)
    GET  /api/photos/{id}/report.pdf       the same, printed (a download; needs Chromium)

Answers are the check's findings (severity, message, evidence, box) and a plain verdict on
the lightness (checks.check_view); errors are the workbench's one JSON line.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from colorizer.apps.web.checks import WebChecks


def install_check_routes(app: FastAPI, checks: WebChecks) -> None:
    cap = checks.bench.config.max_upload_bytes

    @app.post("/api/check")
    def check_other(file: Annotated[UploadFile, File()],
                    original: Annotated[UploadFile | None, File()] = None,
                    original_photo: Annotated[str, Form(max_length=64)] = "",
                    hint: Annotated[str, Form(max_length=2000)] = "") -> dict:
        given = None if original is None else original.file.read(cap + 1)
        return checks.other(file.file.read(cap + 1), file.filename or "colorized", given,
                            (original.filename or "original") if original else "original",
                            original_photo.strip(), hint)

    @app.post("/api/photos/{photo_id}/check")
    def check_own(photo_id: str) -> dict:
        return checks.own(photo_id)

    @app.get("/api/photos/{photo_id}/report.html")
    def report_page(photo_id: str) -> HTMLResponse:
        return HTMLResponse(checks.report_html(photo_id), headers={"Cache-Control": "no-cache"})

    @app.get("/api/photos/{photo_id}/report.pdf")
    def report_pdf(photo_id: str) -> Response:
        name = checks.bench.photos.get(photo_id).name.rsplit(".", 1)[0]
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "photo"
        return Response(checks.report_pdf(photo_id), media_type="application/pdf",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{safe}.report.pdf"'})
