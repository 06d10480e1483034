"""The security review's finding in the workbench (`chronochrome web`), over real HTTP.

A web page of another site whose name its DNS turns to 127.0.0.1 after it loaded (DNS
rebinding) is same-origin with a workbench on loopback: it opened a photo by path under
`--allow-dir` and read it back (`GET /api/photos/{id}/original.png`), and /api/info told it
the folders. The request reached 127.0.0.1 with `Host: attacker.example:PORT`; such a request
is refused now, and the page at the loopback address works as before.
"""

from __future__ import annotations

import httpx
import pytest
from service_helpers import gray_png
from threaded_serve import served


@pytest.fixture(scope="module")
def workbench(shared_tiny_weights, tmp_path_factory):
    """(base URL, the folder it may open photos from, a photo there) of a loopback workbench."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig
    from colorizer.pipeline.colorization import ColorizationPipeline

    folder = tmp_path_factory.mktemp("private-scans")
    photo = folder / "private.png"
    photo.write_bytes(gray_png())
    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    app = create_app(pipeline, WebConfig(local=True, path_roots=(folder,)))
    with served(app) as base:
        yield base, folder, photo


def test_a_rebound_page_cannot_open_photos_by_path_or_job(workbench):
    base, _folder, photo = workbench
    port = base.rsplit(":", 1)[1]
    rebound = {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}
    answer = httpx.post(f"{base}/api/photos/open-path", json={"path": str(photo)},
                        headers=rebound, timeout=30)
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["reason"] == "host_not_local"
    assert "this request named attacker.example" in error["message"]
    answer = httpx.post(f"{base}/api/photos/open-job", headers=rebound, timeout=30,
                        json={"service": "http://127.0.0.1:1", "job": "job_x", "key": "k"})
    assert answer.status_code == 403 and answer.json()["error"]["reason"] == "host_not_local"
    info = httpx.get(f"{base}/api/info", headers=rebound, timeout=30).json()
    assert info["roots"] == [] and info["paths"] is False and info["jobs"] is False


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_page_at_the_loopback_address_opens_them_as_before(workbench, host):
    base, folder, photo = workbench
    port = base.rsplit(":", 1)[1]
    headers = {"Host": f"{host}:{port}"}
    info = httpx.get(f"{base}/api/info", headers=headers, timeout=30).json()
    assert info["roots"] == [str(folder.resolve())] and info["paths"] and info["jobs"]
    opened = httpx.post(f"{base}/api/photos/open-path", json={"path": str(photo)},
                        headers=headers, timeout=30)
    assert opened.status_code == 200, opened.text
    assert opened.json()["name"] == "private.png"
    image = httpx.get(f"{base}/api/photos/{opened.json()['id']}/original.png", headers=headers,
                      timeout=30)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


REBIND_JS = """async (path) => {
  const post = (url, body) => fetch(url, {method: 'POST', body: JSON.stringify(body),
                                          headers: {'Content-Type': 'application/json'}});
  const opened = await post('/api/photos/open-path', {path});
  const info = await (await fetch('/api/info')).json();
  return {status: opened.status, answer: await opened.json(), roots: info.roots};
}"""


@pytest.mark.slow  # a browser of its own (its host resolver maps the attacker's name)
def test_a_rebound_page_in_chromium_reads_no_photo(workbench):
    """Chromium, told that attacker.example is 127.0.0.1 (what rebinding DNS answers), loads
    a page from it and calls the workbench same-origin, as the attacker's script would."""
    from tests.web.web_helpers import CHROMIUM, CHROMIUM_ARGS, browser_api

    base, _folder, photo = workbench
    port = base.rsplit(":", 1)[1]
    with browser_api().sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            *CHROMIUM_ARGS, "--host-resolver-rules=MAP attacker.example 127.0.0.1"])
        try:
            page = browser.new_page()
            page.goto(f"http://attacker.example:{port}/")
            seen = page.evaluate(REBIND_JS, str(photo))
        finally:
            browser.close()
    assert seen["status"] == 403, seen
    assert seen["answer"]["error"]["reason"] == "host_not_local"
    assert seen["roots"] == []
