"""What the workbench, its report and the service's /docs page show only as pictures, said in
words, as a screen reader gets them from Chromium's accessibility tree (the DevTools
protocol's, the tree a screen reader reads). The page is driven with the keyboard alone.

The comparison slider says which side is which ("30% colorization on the left, 70% original
on the right"); the "uncertainty" and "region map" switches are described by what their
overlay shows for this photo (the mean, the share above 0.5; each source with its share);
the report's pictures have alt texts that say what each is and name the photo, and its
likelihood map's caption gives its shares in figures; /docs has landmarks and no unnamed
table header.

Before, the slider was read as a bare "30", the switches as "uncertainty, check box" and
"region map, check box" with nothing of what their pictures show, each report picture's alt
was its caption again (read twice, the photo never named) and the likelihood map had no
figures, and axe-core found /docs without a main landmark, content outside any landmark
and 15 empty table headers.

The workbench tests share one page and run in order, as one session at the workbench would."""

from __future__ import annotations

import json
import re

import pytest
from web_helpers import ThreadServer, axe_violations, browser_api, launch_chromium, tab_to

sync_api = browser_api()


@pytest.fixture(scope="module")
def page(web_server):
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(20_000)
        # Catching file choosers on from the start (see test_web_keyboard.py).
        page.on("filechooser", lambda chooser: None)
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        yield page
        browser.close()


def spoken(page, selector: str) -> dict[str, str]:
    """The element's name and description as Chromium's accessibility tree has them
    (what a screen reader says), read through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        ax = cdp.send("Accessibility.getPartialAXTree",
                      {"nodeId": node, "fetchRelatives": False})["nodes"][0]
    finally:
        cdp.detach()
    return {key: str(ax.get(key, {}).get("value", "")) for key in ("name", "description")}


def _pct(share: float) -> str:
    return "under 1%" if 0 < share < 0.005 else f"{round(share * 100)}%"


def _colorized(page, press, version: int) -> dict:
    """Presses `press` (a step that colorizes) and hands back the colorization's answer."""
    with page.expect_response(re.compile(r"/colorize$")) as answer:
        press()
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    return answer.value.json()


def test_the_split_is_said_in_words(page, photo_file):
    tab_to(page, "#file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    page.view = _colorized(page, lambda: chooser.value.set_files(str(photo_file)), 1)
    tab_to(page, "#split")
    # aria-valuetext, which screen readers say in place of the number (Chromium passes it to
    # them; its DevTools tree reports the number alone, so the attribute is read here).
    assert page.get_attribute("#split", "aria-valuetext") \
        == "50% colorization on the left, 50% original on the right"
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert spoken(page, "#split")["name"] == "split between colorization and original"
    assert page.get_attribute("#split", "aria-valuetext") \
        == "3% colorization on the left, 97% original on the right"
    assert page.evaluate("() => document.getElementById('divider').style.left") == "3%"


def test_the_uncertainty_switch_says_what_its_map_shows(page):
    tab_to(page, "#show-uncertainty")
    page.keyboard.press("Space")
    assert page.is_visible("#uncertainty-overlay")
    figures = page.view["uncertainty"]
    said = spoken(page, "#show-uncertainty")
    assert said["name"] == "uncertainty"
    assert "blue sure, yellow halfway, red unsure" in said["description"], said
    assert f"the mean is {figures['mean']:.2f};" in said["description"], said
    assert f"{_pct(figures['share_above_0.5'])} of the photo is above 0.5" \
        in said["description"], said
    # The figure the legend shows by the ramp is the one said.
    assert page.inner_text("#uncertainty-mean") == f"mean {figures['mean']:.2f}"


def test_the_region_map_switch_lists_where_the_colors_came_from(page):
    page.fill("#hint-color-text", "#00c000")  # the hint's color typed, then placed by keys
    tab_to(page, "#stage", back=True)
    view = _colorized(page, lambda: page.keyboard.press("Enter"), 2)
    tab_to(page, "#show-regions")
    page.keyboard.press("Space")
    assert page.is_visible("#regions-overlay")
    said = spoken(page, "#show-regions")
    assert said["name"] == "region map"
    sources = [r for r in view["regions"] if r["share"] > 0]
    assert len(sources) == 2, view["regions"]  # the model's guess and the hint's
    listed = "; ".join(f"{r['label']}, {_pct(r['share'])}" for r in sources)
    assert f"(2 sources): {listed}." in said["description"], said
    assert "#00c000" in listed


def test_the_report_names_its_pictures_and_gives_the_maps_figures(page):
    tab_to(page, "#report-link")
    with page.expect_popup() as popup:
        page.keyboard.press("Enter")
    report = popup.value
    report.wait_for_load_state()
    alts = report.eval_on_selector_all("figure img", "images => images.map(i => i.alt)")
    captions = report.eval_on_selector_all("figcaption", "cs => cs.map(c => c.textContent)")
    assert alts[:2] == ["Original photograph, street.png", "Colorized photo, street.png"]
    assert alts[2].startswith("Colorized photo, street.png, "), alts
    assert alts[3] == "Map of how likely our model finds the colors of street.png"
    assert not set(alts) & set(captions)  # each picture said once, not twice
    shares = re.search(r"Here: (\d+)% of the image is very unlikely \(under 0\.2% as likely "
                       r"as the model's best color there\), (\d+)% unlikely \(under 10%\), "
                       r"(\d+)% likely\.$", captions[3])
    assert shares, captions[3]
    assert abs(sum(int(s) for s in shares.groups()) - 100) <= 2  # each rounded
    assert not axe_violations(report)
    report.close()


@pytest.fixture(scope="module")
def service_url(tmp_path_factory):
    """The HTTP service, served over real HTTP; only its pages are read (no pipeline)."""
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    folder = tmp_path_factory.mktemp("service") / "svc"
    server = ThreadServer(create_app(None, ServiceConfig(data_dir=folder, worker_threads=0)))
    yield server.url
    server.close()


def test_the_docs_page_has_landmarks_and_named_headers(page, service_url):
    # The module's Chromium (one per process); past the page's Content-Security-Policy, which
    # would refuse axe-core's script.
    context = page.context.browser.new_context(bypass_csp=True)
    docs = context.new_page()
    docs.goto(f"{service_url}/docs")
    assert docs.get_attribute("html", "lang") == "en"
    found = axe_violations(docs)
    assert not found, json.dumps(found, indent=1)
    assert docs.get_by_role("main").count() == 1
    index = docs.get_by_role("navigation", name="operations")
    assert index.get_by_role("link").count() >= 12  # one per operation
    context.close()
