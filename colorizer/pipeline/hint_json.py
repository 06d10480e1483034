"""Color hints from JSON (the CLI's --color-hints file, the HTTP API's `color_hints`) and from
the CLI's compact --point X,Y=COLOR; the format is in `colorizer.pipeline.color_hints`."""

from __future__ import annotations

import base64
import binascii
import io
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from colorizer.pipeline.color_hints import (
    MAX_HINTS,
    Box,
    ColorHint,
    Hint,
    HintError,
    LibraryExemplar,
    Mask,
    Point,
    Polygon,
    ReferenceHint,
    Where,
    check_box_shape,
    check_count,
    check_hints,
    parse_color,
)
from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS
from context.text_encoding import (
    CODE_PAGES,
    SAVE_AS_UTF8,
    TextEncodingError,
    decode_user_text,
)

MASKS_PER_PHOTO = 4  # all masks of one photo: this many photos' pixels (a byte each)
MAX_FILE_BYTES = 64 * 2**20  # a hints file: 64 hints with masks and references as files
_WHERE_KEYS = ("point", "box", "polygon", "mask")
_SAYS_KEYS = ("color", "reference", "exemplar")  # what the place takes


def hints_from_json(data: Any, base_dir: Path | None = None,
                    max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[Hint, ...]:
    """Hints from their JSON form (module docstring): a list, or {"hints": [...]}. File
    paths are read relative to `base_dir`; with None (HTTP) only data: URIs are accepted. A
    mask may hold `max_pixels` (the photo's limit), all masks MASKS_PER_PHOTO times that."""
    if isinstance(data, dict) and "hints" in data:
        data = data["hints"]
    if not isinstance(data, list):
        raise HintError("color hints must be a JSON list of objects such as "
                        '{"point": [120, 80], "color": "#b22222"}')
    check_count(len(data))  # before any mask or reference is decoded
    hints, mask_pixels = [], 0
    for n, item in enumerate(data, 1):
        hints.append(_hint_from_json(item, n, base_dir, max_pixels))
        if isinstance(hints[-1].where, Mask):
            mask_pixels += hints[-1].where.mask.size
            if mask_pixels > MASKS_PER_PHOTO * max_pixels:
                raise HintError(f"color hint {n}: the masks hold {mask_pixels:,} pixels in "
                                f"all, over {MASKS_PER_PHOTO} x the {max_pixels:,}-pixel "
                                "limit; merge the masks of one color into one")
    return tuple(hints)


def _hint_from_json(item: Any, n: int, base_dir: Path | None,
                    max_pixels: int = DEFAULT_MAX_PIXELS) -> Hint:
    if not isinstance(item, dict):
        raise HintError(f"color hint {n}: {item!r} is not an object such as "
                        '{"point": [120, 80], "color": "#b22222"}')
    known = {*_WHERE_KEYS, *_SAYS_KEYS, "source", "name"}
    unknown = sorted(set(item) - known)
    if unknown:
        raise HintError(f"color hint {n}: unknown keys {unknown}; valid keys: {sorted(known)}")
    given = [k for k in _WHERE_KEYS if k in item]
    if len(given) != 1:
        raise HintError(f"color hint {n}: give exactly one of {list(_WHERE_KEYS)} "
                        f"(found {given or 'none'})")
    says = [k for k in _SAYS_KEYS if k in item]
    if len(says) != 1:
        raise HintError(f"color hint {n}: give exactly one of {list(_SAYS_KEYS)} (a color, a "
                        f"reference photo or a library exemplar's id; found {says or 'none'})")
    try:
        where = _where_from_json(given[0], item[given[0]], base_dir, max_pixels)
        source = item.get("source")
        if "color" in item:
            color = item["color"]
            parse_color(color if isinstance(color, str) else tuple(color))
            return ColorHint(where, color if isinstance(color, str) else tuple(color), source)
        if "exemplar" in item:
            return ReferenceHint(where, LibraryExemplar(item["exemplar"]), source,
                                 name=item.get("name"))
        ref = _file_or_data(item["reference"], base_dir, "reference")
        name = item.get("name") or (item["reference"] if not _is_data(item["reference"])
                                    else None)
        return ReferenceHint(where, ref, source, name=name)
    except HintError as exc:
        raise HintError(f"color hint {n}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise HintError(f"color hint {n}: {exc}") from None


def _where_from_json(key: str, value: Any, base_dir: Path | None, max_pixels: int) -> Where:
    if key == "point":
        x, y = _numbers(value, 2, "point", "[x, y]")
        return Point(x, y)
    if key == "box":
        box = Box(*_numbers(value, 4, "box", "[x0, y0, x1, y1]"))
        check_box_shape(box, box.describe())
        return box
    if key == "polygon":
        if not isinstance(value, list):
            raise HintError("a polygon is a list of [x, y] points")
        return Polygon(tuple(tuple(_numbers(p, 2, "polygon point", "[x, y]")) for p in value))
    data = _file_or_data(value, base_dir, "mask")
    try:
        with warnings.catch_warnings():  # PIL's bomb warning: the limit below says it plainly
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            width, height = image.size  # from the header: refused before any pixel is decoded
            if width * height > max_pixels:
                raise HintError(f"the mask is {width} x {height} px, over the "
                                f"{max_pixels:,}-pixel limit; a mask has the photo's size")
            return Mask(np.asarray(image.convert("L")) > 127)
    except (OSError, Image.DecompressionBombError) as exc:
        raise HintError(f"the mask is not a readable image ({exc}); give a PNG, white "
                        "inside") from None


def _numbers(value: Any, count: int, what: str, shape: str) -> list[float]:
    if (not isinstance(value, list | tuple) or len(value) != count
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        raise HintError(f"a {what} is {shape} in pixels, not {value!r}")
    return [float(v) for v in value]


def _is_data(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("data:")


def _file_or_data(value: Any, base_dir: Path | None, what: str) -> bytes:
    """The bytes of a data: URI, or of a file relative to `base_dir`."""
    if not isinstance(value, str) or not value:
        raise HintError(f"the {what} must be a file path or a data: URI")
    if _is_data(value):
        header, _, payload = value.partition(",")
        try:
            return (base64.b64decode(payload, validate=True) if header.endswith(";base64")
                    else payload.encode())
        except (binascii.Error, ValueError):
            raise HintError(f"the {what}'s data: URI is not valid base64") from None
    if base_dir is None:
        raise HintError(f"the {what} must be a data: URI (data:image/png;base64,...) here; "
                        "file paths are read only from a hints file")
    path = (base_dir / value) if not Path(value).is_absolute() else Path(value)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise HintError(f"the {what} {path} cannot be read ({exc.strerror or exc}); paths are "
                        "relative to the hints file") from None


def point_hint(text: str) -> ColorHint:
    """The CLI's compact form 'X,Y=COLOR' (e.g. '120,80=#b22222') as a point hint."""
    where, sep, color = text.partition("=")
    parts = where.split(",")
    if not sep or len(parts) != 2:
        raise HintError(f"--point {text!r}: write X,Y=COLOR, e.g. --point 120,80=#b22222")
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise HintError(f"--point {text!r}: X and Y must be numbers (pixels), e.g. "
                        "--point 120,80=#b22222") from None
    try:
        parse_color(color)
    except HintError as exc:
        raise HintError(f"--point {text!r}: {exc}") from None
    return ColorHint(Point(x, y), color)


def read_color_hints(path: Path | None, points: Sequence[str] = (),
                     max_pixels: int | None = None) -> tuple[Hint, ...]:
    """The CLI's hints: a --color-hints JSON file (paths in it relative to the file) and the
    --point X,Y=COLOR ones, in that order."""
    hints: list[Hint] = []
    if path is not None:
        try:
            if Path(path).stat().st_size > MAX_FILE_BYTES:
                raise HintError(f"--color-hints {path}: over {MAX_FILE_BYTES // 2**20} MiB; "
                                f"{MAX_HINTS} hints never need that much: give masks and "
                                "reference photos as files beside it")
            data = json.loads(_hints_text(Path(path)))
        except OSError as exc:
            raise HintError(f"--color-hints {path}: cannot be read ({exc.strerror or exc}); "
                            "check the path") from None
        except json.JSONDecodeError as exc:
            raise HintError(f"--color-hints {path} is not JSON ({exc}); write a list such as "
                            '[{"point": [120, 80], "color": "#b22222"}]') from None
        try:
            hints += hints_from_json(data, Path(path).parent, max_pixels or DEFAULT_MAX_PIXELS)
        except HintError as exc:
            raise HintError(f"--color-hints {path}: {exc}") from None
    hints += [point_hint(text) for text in points]
    check_count(len(hints))  # before any photo, not once per photo
    return tuple(hints)


def _hints_text(path: Path) -> str:
    """A hints file's text: UTF-8, with or without Notepad's byte-order mark, or UTF-16. JSON
    is UTF-8, and a hint's source is provenance: a Windows code page is refused, with the
    words it would give, rather than guessed (`text_encoding` guesses for lists)."""
    try:
        decoded = decode_user_text(path.read_bytes(), f"--color-hints {path}")
    except TextEncodingError as exc:
        raise HintError(str(exc)) from None
    if decoded.guessed:
        raise HintError(f"--color-hints {path} is not UTF-8 (as {CODE_PAGES[decoded.encoding]} "
                        f"it would read {', '.join(decoded.sample)}); {SAVE_AS_UTF8}")
    return decoded.text


def checked_hints(hints: Sequence[Hint | dict], size: tuple[int, int],
                  max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[Hint, ...]:
    """`check_hints` for Python callers, who may also give a hint in its hints-file form (a
    dict; paths in it read relative to the working folder)."""
    if isinstance(hints, list | tuple):
        hints = [_hint_from_json(hint, n, Path.cwd(), max_pixels) if isinstance(hint, dict)
                 else hint
                 for n, hint in enumerate(hints, 1)]
    return check_hints(hints, size)
