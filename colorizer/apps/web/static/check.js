// Checking colorizations and the plausibility report: the "Check a colorization" panel and
// the report box of the page. Uses net.js's api and send, app.js's helpers ($, busy, el,
// pct, state) and listens for its "colorized" event (a new colorization of the open photo).
"use strict";

// White text on each reads at 4.5:1 or more (WCAG AA); the same as the report's.
const SEVERITY_COLOR = { high: "#b00020", medium: "#a85d00", low: "#55708a" };
const checked = { source: null, objectUrl: null };  // what the panel shows now

// -- running a check --------------------------------------------------------------------------

function checkOwn() {
  if (!state.view) return;
  busy("checking this colorization", async () => {
    const id = state.photo.id;
    const report = await api(`api/photos/${id}/check`, { method: "POST" });
    return showCheck(report, `api/photos/${id}/colorized.png?v=${report.version}`,
                     `This photo's colorization (${state.photo.name})`);
  });
}

function checkOther(event) {
  event.preventDefault();
  const file = $("check-file").files[0];
  if (!file) { showError("choose the colorized image to check"); return; }
  const original = $("check-original").files[0];
  // Refused here, as an opened photo is (open.js), not after all of it went on 3G.
  const refusal = [file, original].map((f) => f && oversize(f, "choose")).find(Boolean);
  if (refusal) { showError(refusal); return; }
  const form = new FormData();
  form.append("file", file);
  if (original) form.append("original", original);
  else if ($("check-use-open").checked && state.photo) form.append("original_photo", state.photo.id);
  form.append("hint", $("check-hint").value);
  busy("checking the colorization", async () => {
    const report = await api("api/check", { method: "POST", body: form });
    if (checked.objectUrl) URL.revokeObjectURL(checked.objectUrl);
    checked.objectUrl = URL.createObjectURL(file);
    return showCheck(report, checked.objectUrl, `${file.name}` +
              (original ? ` against ${original.name}` :
                report.luminance ? ` against ${state.photo.name}` : ""), file);
  });
}

// -- showing it -------------------------------------------------------------------------------

// `file`: someone else's colorization as chosen (its name and type say why it may not show).
async function showCheck(report, imageUrl, title, file = null) {
  checked.source = report.source;
  const image = $("check-image");
  const shown = await loadImage(image, imageUrl);
  image.alt = `${title}, as checked`;
  $("check-figure").hidden = !shown;
  $("check-no-preview").hidden = shown;
  const n = report.findings.length;
  $("check-no-preview").textContent = shown ? "" : noPreview(file, n);
  $("check-title").textContent = `${title}: ` +
    (n ? `${n} finding${n > 1 ? "s" : ""}` : "no finding (which does not show the colors are right)");
  const verdict = $("luminance-verdict");
  verdict.textContent = report.luminance_verdict;
  verdict.dataset.matches = report.luminance ? String(report.luminance.matches) : "none";
  renderFindings(report);
  showComposite(report);
  $("check-notes").textContent = report.notes.join(" · ");
  $("check-result").hidden = false;
  document.body.dataset.checks = String(Number(document.body.dataset.checks) + 1);
  // For the status line (a screen reader reads it out): the outcome, and where it is.
  return `Checked: ${n ? `${n} finding${n > 1 ? "s" : ""}` : "no finding"}, listed under ` +
         "Check a colorization.";
}

// Why the checked image is not shown (the server read it, the browser cannot: a HEIC, which
// Chromium and Firefox do not decode), in words instead of an empty or broken picture.
function noPreview(file, findings) {
  const name = file ? file.name : "the checked image";
  const heic = file && (/\.(heic|heif)$/i.test(file.name) || /hei[cf]/i.test(file.type));
  return `${name}: no preview, ` +
    (heic ? "this browser cannot show HEIC images" : "this browser cannot show this image") +
    ". It was checked all the same" +
    (findings ? ": each finding below says where it is, in pixels." : ".");
}

// Where a finding is, in words: the same place its box marks on the image.
function findingPlace(f) {
  const where = f.box && f.kind !== "luminance"
    ? `, in the box from ${f.box[0]}, ${f.box[1]} to ${f.box[2]}, ${f.box[3]} px` : "";
  return `covers ${pct(f.share)} of the image${where}`;
}

function renderFindings(report) {
  const list = $("finding-list");
  const boxes = $("check-boxes");
  list.replaceChildren();
  boxes.replaceChildren();
  const [w, h] = report.size;
  report.findings.forEach((f, k) => {
    const li = el("li", "finding");
    li.dataset.kind = f.kind;
    li.dataset.severity = f.severity;
    const sev = el("span", "sev", f.severity);
    sev.style.background = SEVERITY_COLOR[f.severity];
    li.append(sev, el("span", "kind", f.kind), el("div", "", f.message));
    const details = document.createElement("details");
    const summary = el("summary", "", "evidence");
    summary.append(el("span", "visually-hidden", ` for finding ${k + 1}`));
    details.append(summary);
    const ul = document.createElement("ul");
    for (const [key, value] of Object.entries(f.evidence)) {
      const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
      ul.append(el("li", "", `${key.replaceAll("_", " ")}: ${shown}`));
    }
    details.append(ul);
    li.append(el("small", "", findingPlace(f)), details);
    list.append(li);
    // The lightness finding concerns the whole image: no box to point at (as in the report).
    if (!f.box || f.kind === "luminance") return;
    const box = el("div", "finding-box", String(k + 1));
    box.style.left = `${f.box[0] / w * 100}%`;
    box.style.top = `${f.box[1] / h * 100}%`;
    box.style.width = `${(f.box[2] - f.box[0]) / w * 100}%`;
    box.style.height = `${(f.box[3] - f.box[1]) / h * 100}%`;
    box.style.borderColor = box.style.color = SEVERITY_COLOR[f.severity];
    boxes.append(box);
    const on = (active) => { li.classList.toggle("active", active); box.classList.toggle("active", active); };
    for (const node of [li, box]) {
      node.addEventListener("mouseenter", () => on(true));
      node.addEventListener("mouseleave", () => on(false));
    }
    // The keyboard's way to the same: Tab reaches the finding, its box lights up.
    li.tabIndex = 0;
    li.addEventListener("focus", () => on(true));
    li.addEventListener("blur", () => on(false));
  });
}

// A before/after composite: only its colorization panel was checked. Outlined on the image
// (beneath the findings' boxes, which lie inside it) and said in a line under the title, so
// that "no finding" is not read as covering the gray half too.
function showComposite(report) {
  let line = $("check-composite");
  if (!line) {
    line = el("p", "composite-line");
    line.id = "check-composite";
    $("check-title").after(line);
  }
  const c = report.composite;
  line.hidden = !c;
  line.textContent = c ? `Checked: ${c.checked}, outlined in blue on the image; the ` +
    `black-and-white "before" beside it was not checked.` : "";
  if (!c) return;
  const [w, h] = report.size;
  const [x0, y0, x1, y1] = c.colorization_box;
  const box = el("div", "composite-box");
  box.setAttribute("aria-hidden", "true");
  box.style.left = `${x0 / w * 100}%`;
  box.style.top = `${y0 / h * 100}%`;
  box.style.width = `${(x1 - x0) / w * 100}%`;
  box.style.height = `${(y1 - y0) / h * 100}%`;
  $("check-boxes").prepend(box);
}

// -- the report -------------------------------------------------------------------------------

async function downloadPdf() {
  if (!state.view) return;
  busy("printing the report", async () => {
    const response = await send(`api/photos/${state.photo.id}/report.pdf`);
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      throw new Error(data && data.error ? data.error.message : `HTTP ${response.status}`);
    }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `${state.photo.name.replace(/\.[^.]*$/, "")}.report.pdf`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return "Report downloaded.";
  });
}

// A new colorization of the open photo: the report follows it, an old check of it goes.
function colorizedAgain() {
  const link = $("report-link");
  link.href = `api/photos/${state.photo.id}/report.html?v=${state.view.version}`;
  link.removeAttribute("aria-disabled");
  $("report-pdf").disabled = false;
  $("check-own").disabled = false;
  $("check-use-open").disabled = false;
  if (checked.source === "own") {
    $("check-result").hidden = true;
    checked.source = null;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("check-own").addEventListener("click", checkOwn);
  $("check-other").addEventListener("submit", checkOther);
  $("report-pdf").addEventListener("click", downloadPdf);
  $("report-link").addEventListener("click", (e) => {
    if (!state.view) e.preventDefault();
  });
  document.addEventListener("colorized", colorizedAgain);
});
