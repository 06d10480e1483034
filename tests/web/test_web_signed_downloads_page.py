"""The workbench page says when its downloads are C2PA-signed, by whom and how to check a file,
and says so when one download's signature fails; in headless Chromium, with real certificates
(tests/service/c2pa_certs.py) and c2pa's own signing.

Before, `chronochrome web --c2pa-cert/--c2pa-key` said it only on its stderr: /api/info had no
word of it, the page showed the same Download link as an unsigned workbench, and a download
whose signature failed (503 `signing_failed`) was a canceled "download.json" in the browser's
download list while the page said nothing."""

from __future__ import annotations

import json
import re

import pytest
from web_helpers import (
    ThreadServer,
    axe_violations,
    browser_api,
    c2pa_certs,
    gray_photo,
    http_get,
    page_with_photo,
    tiny_pipeline,
    upload_photo,
)

sync_api = browser_api()
SIGNER = "Test Archive Colorization Signer (Test City Archive)"  # c2pa_certs' leaf: CN (O)
SAID = f"Downloads are C2PA-signed by {SIGNER}."


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    return c2pa_certs().make_chain(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signer(chain):
    from colorizer.apps.c2pa_config import C2paConfig
    from colorizer.apps.c2pa_signing import C2paSigner

    return C2paSigner(C2paConfig(chain.chain, chain.key))


@pytest.fixture(scope="module")
def signing_server(shared_tiny_weights, signer):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), WebConfig(), signer))
    yield server
    server.close()


def _info(url: str) -> dict:
    return json.loads(http_get(f"{url}/api/info"))


def _fresh_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(20_000)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def test_a_signing_workbench_names_its_signer_in_api_info(signing_server):
    assert _info(signing_server.url)["signed_downloads"] == {"signer": SIGNER}


@pytest.mark.slow  # a page, then axe-core over it: 3.5 s
def test_the_page_says_who_signs_the_downloads_and_how_to_verify_them(browser, signing_server):
    page = _fresh_page(browser, signing_server.url)
    try:
        note = page.locator("#signing-note")
        sync_api.expect(note).to_be_visible()
        words = note.inner_text()
        assert words.startswith(SAID)
        assert "contentcredentials.org/verify" in words and "c2patool FILE" in words
        # Said in words with the link, as a screen reader reads it (not an icon's tooltip).
        sync_api.expect(page.locator("#download-colorized")).to_have_accessible_description(
            re.compile(re.escape(SAID) + ".*contentcredentials.org/verify"))
        found = axe_violations(page)
        assert not found, json.dumps(found, indent=1)
    finally:
        page.close()


@pytest.mark.slow  # a page: 1.5 s
def test_an_unsigned_workbench_says_nothing_of_signing(browser, web_server):
    assert "signed_downloads" not in _info(web_server.url)
    page = _fresh_page(browser, web_server.url)
    try:
        assert page.eval_on_selector("#signing-note", "(note) => note.hidden") is True
        assert page.get_attribute("#download-colorized", "aria-describedby") is None
        assert "C2PA" not in page.inner_text("body")
    finally:
        page.close()


@pytest.mark.slow  # a photo colorized, two downloads, the file's manifest read: 3.6 s
def test_a_download_whose_signature_fails_is_said_on_the_page(browser, signing_server,
                                                             signer, chain, photo_file):
    """The certificate ran out while the workbench was up (c2pa's credentials swapped for an
    expired chain's, as test_web_c2pa.py does): the page says the download failed, and why,
    and no file arrives; renewed, the same link saves a signed file."""
    import c2pa

    page = page_with_photo(browser, signing_server.url, photo_file)
    arrived = []
    page.on("download", lambda download: arrived.append(download))
    valid = signer._info
    old = c2pa_certs().make_chain(chain.chain.parent.parent / "old", expired=True)
    signer._info = c2pa.C2paSignerInfo(b"es256", old.chain.read_bytes(), old.key.read_bytes(),
                                       None)
    try:
        page.click("#download-colorized")
        page.wait_for_selector("#error:not([hidden])", timeout=10_000)
        said = page.inner_text("#error-text")
        assert said.startswith(f"The PNG download of {photo_file.name} failed: C2PA signing "
                               f"failed: the C2PA signing certificate in {chain.chain} is not "
                               "valid now")
        assert said.endswith("the download was not sent unsigned")
        assert page.get_attribute("#error", "role") == "alert"  # read out as it appears
        assert arrived == []  # nothing saved, not even the error's JSON
        signer._info = valid
        page.click("#error-close")
        with page.expect_download() as download:
            page.click("#download-colorized")
        assert download.value.suggested_filename == "street.colorized.png"
        with open(download.value.path(), "rb") as file:
            c2pa_certs().signed_manifest(file.read(), "image/png", chain, photo_file)
        assert page.is_hidden("#error")
    finally:
        signer._info = valid
        page.close()


@pytest.fixture(scope="module")
def one_photo_server(shared_tiny_weights):
    """A workbench that keeps one photo open: another one opened closes the page's."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), WebConfig(max_photos=1)))
    yield server
    server.close()


@pytest.mark.slow  # a photo colorized, then one download refused and said: 2 s
def test_a_refused_download_is_said_on_the_page(browser, one_photo_server, photo_file):
    """Any refusal, not only a signature's: here the page's photo was closed meanwhile (another
    tab opened one more than --max-photos keeps)."""
    page = page_with_photo(browser, one_photo_server.url, photo_file)
    try:
        upload_photo(one_photo_server.url, "other.png", gray_photo(), "image/png")
        page.click("#download-colorized")
        page.wait_for_selector("#error:not([hidden])", timeout=10_000)
        said = page.inner_text("#error-text")
        assert said.startswith(f"The PNG download of {photo_file.name} failed: "), said
        assert "it was closed to make room for newer ones" in said
        assert page.is_hidden("#error-retry")  # the same request would be refused again
    finally:
        page.close()


@pytest.mark.slow  # a photo colorized, a download dropped, then retried: 2.5 s
def test_a_download_that_gets_no_answer_is_said_and_retried(browser, one_photo_server,
                                                           photo_file):
    page = page_with_photo(browser, one_photo_server.url, photo_file)
    try:
        page.route("**/download?*", lambda route: route.abort("internetdisconnected"))
        page.click("#download-colorized")
        page.wait_for_selector("#error:not([hidden])", timeout=10_000)
        assert page.inner_text("#error-text") == (
            f"The PNG download of {photo_file.name} did not arrive: the connection was lost "
            "or the workbench stopped. Check the connection, then press Retry.")
        page.unroute("**/download?*")
        with page.expect_download() as download:
            page.click("#error-retry")
        assert download.value.suggested_filename == "street.colorized.png"
        with open(download.value.path(), "rb") as file:
            assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    finally:
        page.close()
