"""The plausibility report as the workbench opens it, printed and read in dark mode, in
headless Chromium: laid out at an A4 page's printable width (210 mm less the report's 14 mm
margins) nothing reaches past the right edge, even a long unbroken source URL;
`Page.printToPDF` prints it on A4 portrait pages; with `prefers-color-scheme: dark` every
line of text keeps a contrast of 4.5:1 or more with what is behind it (WCAG AA).

An audit that passed: these keep it so (the report's page is `colorizer.check.report_html`)."""

from __future__ import annotations

import base64
import re

import pytest
from web_helpers import browser_api, launch_chromium, page_with_photo

sync_api = browser_api()
LONG_SOURCE = ("https://archive.example.org/collections/uniforms/a/very/long/unbroken/path/"
               "that/never/ends/0123456789abcdef0123456789abcdef")
A4_PRINTABLE_PX = round((210 - 2 * 14) / 25.4 * 96)  # 688 CSS px

# Each element with text whose contrast with the first painted background behind it is
# under 4.5:1, with both colors.
LOW_CONTRAST_JS = """() => {
  const lum = (css) => {
    const [r, g, b] = css.match(/[\\d.]+/g).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const behind = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
    }
    return getComputedStyle(document.documentElement).colorScheme.includes("dark")
      ? "rgb(18, 18, 18)" : "rgb(255, 255, 255)";
  };
  const low = [];
  for (const e of document.querySelectorAll("body *")) {
    if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const a = lum(getComputedStyle(e).color), b = lum(behind(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${e.tagName} ${ratio.toFixed(2)}: ${getComputedStyle(e).color}`
                              + ` on ${behind(e)}`);
  }
  return low;
}"""


@pytest.fixture(scope="module")
def report(web_server, photo_file):
    """The report's page of the test photo colorized with a sourced hint (light scheme)."""
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = page_with_photo(browser, web_server.url, photo_file)
        page.fill("#hint-source", LONG_SOURCE)
        page.locator("#stage").click(position={"x": 20, "y": 20})
        page.wait_for_selector('body[data-version="2"][data-state="ready"]')
        report = browser.new_page(viewport={"width": A4_PRINTABLE_PX, "height": 1000})
        report.goto(page.eval_on_selector("#report-link", "a => a.href"))  # relative: made whole
        assert LONG_SOURCE in report.inner_text("body")
        yield report
        browser.close()


def test_printed_on_a4_nothing_reaches_past_the_right_edge(report):
    report.emulate_media(media="print")
    past = report.evaluate("""() => [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
      .map((e) => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().right)}`)""")
    assert not past, past
    cdp = report.context.new_cdp_session(report)
    pdf = base64.b64decode(cdp.send("Page.printToPDF", {
        "paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "preferCSSPageSize": True,
        "printBackground": True})["data"])
    sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert sizes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1
                         for w, h in sizes), sizes  # A4 portrait, in points


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_line_reads_at_4_5_to_1(report, scheme):
    report.emulate_media(media="screen", color_scheme=scheme)
    low = report.evaluate(LOW_CONTRAST_JS)
    assert not low, f"{scheme}: {low}"


def test_on_a_phone_the_report_is_laid_out_at_the_phones_width(report):
    """Without a viewport tag a phone laid the report out 981 px wide and showed it at 0.38
    zoom (13 px text read as 5 px); with it, a long unbroken URL still widened it to 876 px.
    Now it is the phone's 375 px, the images one per row."""
    phone = report.context.browser.new_context(viewport={"width": 375, "height": 667},
                                               device_scale_factor=2, is_mobile=True,
                                               has_touch=True).new_page()
    phone.goto(report.url)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, width  # a long unbroken source URL wraps too
    figures = phone.evaluate("""() => [...document.querySelectorAll("figure")]
      .map((f) => Math.round(f.getBoundingClientRect().width))""")
    assert figures and min(figures) > 300, figures
    phone.close()
