"""The request bodies of the API as pydantic models (also their OpenAPI schemas)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from colorizer.apps.service.problems import Problem
from colorizer.apps.service.split_items import FORM_HELP as SPLIT_HELP
from colorizer.apps.service.split_items import checked_split_page
from colorizer.pipeline.text_inputs import MAX_CHARS

_CANVAS_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class ItemIn(BaseModel):
    """One photo: exactly one of url, iiif_image, iiif_manifest or upload."""

    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, description="http(s) URL of an image file")
    iiif_image: str | None = Field(None, description="IIIF Image API base URL (no /info.json)")
    iiif_manifest: str | None = Field(None, description="IIIF Presentation 2/3 manifest URL; "
                                                        "one item per canvas")
    canvases: str | None = Field(
        None, description="with iiif_manifest: the canvases to colorize, 1-based and "
        'inclusive, as "N-M" or "N" (e.g. "501-1000": a manifest above the job item cap is '
        "submitted as several jobs, one range each); an end past the manifest's last canvas "
        "stops at it. Default: every canvas", examples=["1-500"])
    upload: int | None = Field(None, ge=0, description="index of a multipart `file` part")
    hint: str | None = Field(None, max_length=MAX_CHARS["hints"],
                             description="e.g. 'Kazan 1950s'")
    caption: str | None = Field(None, max_length=MAX_CHARS["caption"],
                                description="archive caption")
    color_hints: list[Any] | None = Field(
        None, max_length=64, description="colors known, each with an optional source: "
        '[{"point": [x, y], "color": "#b22222", "source": "..."}, {"box": [x0, y0, x1, y1], '
        '"color": "navy"}, {"polygon": [[x, y], ...], "color": ...}, {"mask": "data:image/png;'
        'base64,...", "color": ...}, {"box": [...], "reference": "data:image/jpeg;base64,..."}]')
    # Strict: "yes" or "1" read as true (or "no" as false) would colorize a negative as a
    # print, or a print as a negative, without a word.
    negative: bool = Field(False, strict=True, description="true when the photo is a scanned "
                           "negative: its tones are inverted before colorizing (a color "
                           "negative's film base removed); recorded in the result's settings")
    # Strict likewise (checked_split_page): a "yes" would split, or not, without a word.
    split_page: bool | None = Field(None, description=SPLIT_HELP + "; part of the result's "
                                    "fingerprint, and a split page's prints are listed in its "
                                    "provenance (settings.album_page)")

    @field_validator("split_page", mode="before")
    @classmethod
    def _strict_split_page(cls, value: Any) -> Any:
        return checked_split_page(value)

    @model_validator(mode="after")
    def _one_source(self) -> ItemIn:
        given = [k for k in ("url", "iiif_image", "iiif_manifest", "upload")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of url, iiif_image, iiif_manifest, upload")
        if self.canvases is not None:
            if self.iiif_manifest is None:
                raise ValueError("`canvases` selects canvases of a manifest: give it with "
                                 "iiif_manifest, or leave it out")
            self.canvas_range()  # refused here (422) with what a range looks like
        return self

    def canvas_range(self) -> tuple[int, int | None]:
        """(first, last) canvas, 1-based and inclusive; last None: to the manifest's end."""
        if self.canvases is None:
            return 1, None
        match = _CANVAS_RANGE.match(self.canvases)
        if not match:
            raise ValueError(f"canvases = {self.canvases!r} is not a range of canvases: give "
                             'first and last, 1-based, as "1-500" (or one canvas, "7")')
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first < 1 or last < first:
            raise ValueError(f"canvases = {self.canvases!r}: canvases count from 1 and the "
                             'first comes before the last, as in "1-500" or "501-1000"')
        return first, last


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="receives a signed POST (Standard Webhooks) when the job "
                     "ends: {type: job.completed, timestamp, data: {job_id, state, counts "
                     "(items by state), total, links: {job, failed, manifest}, items: [{index, "
                     "status}] (only for a job of 500 items or fewer; page a bigger one through "
                     "links.job)}}")
    secret: str | None = Field(None, description="whsec_<base64>; omitted: one is generated "
                                                 "and returned once")


class JobIn(BaseModel):
    """The JSON body of POST /v1/jobs (or its multipart `request` field)."""

    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, description="the photos, one item each (a "
                                "IIIF manifest: one item per canvas)")
    format: str | None = Field(None, description="png | jpg | tif | webp")
    webhook: WebhookIn | None = Field(None, description="called when the job ends")


def parse_job(raw: Any, what: str = "the job request") -> JobIn:
    try:
        return JobIn.model_validate(raw)
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        raise Problem(422, "invalid_request", f"{what} is not valid: "
                      + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
                      errors=errors) from exc
