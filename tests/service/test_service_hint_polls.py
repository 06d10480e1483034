"""A job's poll stays small however large its items' color hints are: each item says how many
hints it has and where they are (`color_hints_url`, the item's own resource); they come inline
only when asked (`?include=color_hints`).

Before, every `GET /v1/jobs/{id}` carried every item's hints as submitted, masks and reference
photos as data: URIs, so a client polling a batch job downloaded them all again each time."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
from PIL import Image
from service_helpers import gray_png

WIDTH, HEIGHT, ITEMS = 400, 300, 6


def _mask_hint(seed: int) -> dict:
    """A mask hint as a data: URI: a noisy mask (it compresses badly), about 20 KB."""
    inside = np.random.default_rng(seed).integers(0, 2, (HEIGHT, WIDTH), dtype=np.uint8) * 255
    buffer = io.BytesIO()
    Image.fromarray(inside, "L").save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return {"mask": uri, "color": "#b22222", "source": f"inventory card {seed}"}


def _submit(service, hints: list[list[dict]]) -> dict:
    request = {"items": [{"upload": i, **({"color_hints": h} if h else {})}
                         for i, h in enumerate(hints)]}
    files = [("file", (f"{i}.png", gray_png(WIDTH, HEIGHT, seed=i), "image/png"))
             for i in range(len(hints))]
    response = service.client.post("/v1/jobs", headers=service.headers(), files=files,
                                   data={"request": json.dumps(request)})
    assert response.status_code == 202, response.text
    return response


def test_a_poll_carries_no_hints_but_their_count_and_address(service):
    hints = [[_mask_hint(i)] for i in range(ITEMS)]
    submitted = _submit(service, hints)
    sent = sum(len(json.dumps(h)) for h in hints)
    assert sent > 100_000  # what every poll resent before
    poll = service.client.get(submitted.headers["location"], headers=service.headers())
    assert poll.status_code == 200
    for answer in (submitted, poll):  # the 202 too: it is the same view
        assert len(answer.content) < 4_000, len(answer.content)
        assert "data:image" not in answer.text
    for index, item in enumerate(poll.json()["items"]):
        assert "color_hints" not in item and item["color_hints_count"] == 1
        url = item["color_hints_url"]
        assert url.endswith(f"/items/{index}/color_hints")
        own = service.client.get(url, headers=service.headers())
        assert own.status_code == 200 and own.json() == hints[index]  # as submitted


def test_hints_come_inline_only_when_asked(service):
    hints = [[_mask_hint(7)], []]
    location = _submit(service, hints).headers["location"]
    full = service.client.get(f"{location}?include=color_hints", headers=service.headers())
    assert full.status_code == 200
    items = full.json()["items"]
    assert items[0]["color_hints"] == hints[0] and items[0]["color_hints_count"] == 1
    assert "color_hints" not in items[1] and "color_hints_url" not in items[1]  # none given
    bad = service.client.get(f"{location}?include=everything", headers=service.headers())
    assert bad.status_code == 422


def test_an_items_hints_resource_answers_only_its_own_key(service):
    location = _submit(service, [[_mask_hint(3)], []]).headers["location"]
    none = service.client.get(f"{location}/items/1/color_hints", headers=service.headers())
    assert none.status_code == 200 and none.json() == []
    for url, key in ((f"{location}/items/0/color_hints", service.key_b),
                     (f"{location}/items/2/color_hints", service.key_a)):
        answer = service.client.get(url, headers=service.headers(key))
        assert answer.status_code == 404 and answer.json()["reason"] in ("job_not_found",
                                                                         "item_not_found")
    assert service.client.get(f"{location}/items/0/color_hints").status_code == 401
