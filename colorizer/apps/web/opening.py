"""Opening a photo in the workbench: an upload, a path on this machine, or a job of the HTTP
service (`chronochrome serve`). Each refusal is a `ChronochromeError` that says what to do.

Paths and jobs are read on behalf of the person at the page, so both need a workbench started
on this machine (`WebConfig.local`); a path must lie inside one of `WebConfig.path_roots`
after symbolic links and '..' are resolved.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colorizer.apps.web.config import WebConfig
from colorizer.errors import ChronochromeError


class OpenError(ChronochromeError):
    """A photo cannot be opened as asked; `reason` is machine-readable."""

    def __init__(self, reason: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Opened:
    name: str
    data: bytes
    hint: str = ""
    color_hints: tuple[Any, ...] = ()  # in their JSON form (a job item's, as submitted)
    negative: bool = False  # a job item colorized as a scanned negative ("negative": true)
    # A job item's own album-page choice ("split_page": true|false); None: it gave none (it
    # followed its server), an upload or a path: the page's checkbox is left as it stands.
    split_page: bool | None = None

    def choices(self) -> dict[str, bool]:
        """What the page sets its boxes from besides the photo's view: the item's own
        album-page choice, where it made one."""
        return {} if self.split_page is None else {"split_page": self.split_page}


def check_size(data: bytes, name: str, config: WebConfig) -> bytes:
    # Callers read at most the limit plus one byte (an upload is never held whole), so the
    # length says only "over": a 41 MB photo was reported as "40.0 MB is over the 40 MB limit".
    if len(data) > config.max_upload_bytes:
        raise OpenError("too_large", f"{name}: larger than the workbench's "
                        f"{config.max_upload_bytes / 1e6:.0f} MB limit; "
                        + _smaller_or_flag(config, "open a smaller copy (a phone's photo "
                                           "editor or share sheet can export one)"), 413)
    return data


def _smaller_or_flag(config: WebConfig, smaller: str, needed_mb: int | None = None) -> str:
    """What to do about a file over the limit: on a workbench on this machine the person at
    the page started it, so the flag that raises the limit is named (a 157 MB 16-bit scan
    had no way in); elsewhere only its operator could use it."""
    if not config.local:
        return smaller
    flag = f"--max-upload-mb {needed_mb}" if needed_mb else "a higher --max-upload-mb"
    return f"start the workbench with {flag} to open it, or {smaller}"


def open_path(text: str, config: WebConfig) -> Opened:
    if not config.local:
        raise OpenError("paths_not_allowed", "this workbench does not open server-side paths "
                        "(it was started on a non-loopback address); upload the photo instead",
                        403)
    if not text.strip():
        raise OpenError("empty_path", "give the path of a photo on this machine")
    if not config.path_roots:
        raise OpenError("paths_not_allowed", "no folder is open to the workbench; start it "
                        "with --allow-dir FOLDER", 403)
    given = Path(text.strip()).expanduser()
    path = (given if given.is_absolute() else config.path_roots[0] / given).resolve()
    if not any(path.is_relative_to(root) for root in config.path_roots):
        roots = ", ".join(str(r) for r in config.path_roots)
        raise OpenError("path_outside_roots", f"{text}: outside the folders the workbench may "
                        f"read ({roots}); start it with --allow-dir for another folder", 403)
    if not path.is_file():
        raise OpenError("not_found", f"{text}: no such file under {path.parent}", 404)
    size = path.stat().st_size
    if size > config.max_upload_bytes:
        raise OpenError("too_large", f"{path.name}: {size / 1e6:.1f} MB, over the workbench's "
                        f"{config.max_upload_bytes / 1e6:.0f} MB limit; "
                        + _smaller_or_flag(config, "open a smaller copy",
                                           math.ceil(size / 1e6)), 413)
    try:
        return Opened(path.name, path.read_bytes())
    except OSError as exc:
        raise OpenError("unreadable", f"{text}: cannot be read ({exc.strerror or exc})") from None


def open_job(service: str, job: str, key: str, index: int, config: WebConfig) -> Opened:
    """The original of one item of a service job (an uploaded item), its hint, its color
    hints (with their sources), whether it was read as a negative and its album-page choice,
    so that colorizing it again matches the job's result."""
    if not config.local:
        raise OpenError("jobs_not_allowed", "this workbench does not fetch from other "
                        "services (it was started on a non-loopback address)", 403)
    base = service.strip().rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise OpenError("bad_service_url", f"{service!r} is not a service address such as "
                        "http://127.0.0.1:8000")
    if not job.strip() or not key.strip():
        raise OpenError("missing_field", "give the job id and the API key it was submitted with")
    job_url = f"{base}/v1/jobs/{urllib.parse.quote(job.strip(), safe='')}"
    # That item's page (a job's view holds at most 500 items; an older service, ignoring the
    # query, sends them all): matched by its index, not its place in the list.
    view = json.loads(_get(f"{job_url}?offset={max(index, 0)}&limit=1", key, config))
    items = [i for i in view.get("items", []) if i.get("index", i.get("idx")) == index]
    if index < 0 or not items:
        total = view.get("page", {}).get("total", len(view.get("items", [])))
        raise OpenError("no_such_item", f"job {job} has {total} items; no item {index}", 404)
    item = items[0]
    if item.get("source", {}).get("kind") != "upload":
        url = item.get("source", {}).get("url")
        raise OpenError("not_an_upload", f"item {index} of job {job} was not uploaded (the "
                        f"service fetched it from {url or 'elsewhere'}); open that image "
                        "directly", 422)
    data = _get(f"{job_url}/items/{index}/original", key, config)
    name = item["source"].get("name") or f"{job}-{index}"
    hints = _item_hints(job_url, index, item, key, config)
    if not isinstance(hints, list):
        raise OpenError("bad_service_answer", f"the service's item {index} of job {job} has "
                        f"color_hints that are not a list ({type(hints).__name__}); is "
                        f"{base} a chronochrome service?", 502)
    split_page = item.get("split_page")  # absent from an older service's view: None
    return Opened(name, check_size(data, name, config), item.get("hint") or "", tuple(hints),
                  item.get("negative") is True,
                  split_page if isinstance(split_page, bool) else None)


def _item_hints(job_url: str, index: int, item: dict[str, Any], key: str,
                config: WebConfig) -> Any:
    """An item's color hints as submitted. The job's view says only how many there are (a
    poll stays small) and the item's own resource has them; an older service sent them in
    the view. Asked at the address the workbench reached the job at, not the view's
    `color_hints_url` (made from the service's public URL, maybe not reachable from here)."""
    if "color_hints" in item:
        return item["color_hints"]
    if not item.get("color_hints_count"):
        return []
    text = _get(f"{job_url}/items/{index}/color_hints", key, config)
    try:
        return json.loads(text)
    except ValueError:
        raise OpenError("bad_service_answer", f"the service's color hints of item {index} "
                        f"are not JSON ({job_url}/items/{index}/color_hints)", 502) from None


def _get(url: str, key: str, config: WebConfig) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key.strip()}"})
    try:
        with urllib.request.urlopen(request, timeout=config.fetch_timeout) as response:
            data = response.read(config.max_upload_bytes + 1)
    except urllib.error.HTTPError as exc:
        said = {401: "refused the API key", 404: "has no such job for this key"}.get(
            exc.code, f"answered HTTP {exc.code}")
        raise OpenError("service_refused", f"the service {said} ({url})", 502) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OpenError("service_unreachable", f"cannot reach the service at {url} "
                        f"({reason}); is `chronochrome serve` running there?", 502) from None
    return check_size(data, url, config)
