// The workbench page: plain JS talking to the JSON API of colorizer/apps/web/app.py.
// State: the open photo, its color hints (sent whole with every run: the server's edit cache
// makes a run that only adds a hint quick), and the last colorization's view.
"use strict";

const $ = (id) => document.getElementById(id);
// closed: the older photos closed to make room for the open one, said in its status line
// until another photo opens (cleared at each step, the header shrank under a phone user's
// finger between a tap and its run: the line wraps there).
const state = { photo: null, hints: [], view: null, viewHints: [], version: 0, closed: "" };

// -- errors and busy steps (the requests themselves: net.js) ----------------------------------

// The error box is an alert: shown, a screen reader reads it out; focus stays where it was,
// and goes back there when the error is dismissed from its button.
const errorFocus = { from: null };

const retry = { step: null };  // what the error box's Retry button runs again

function showError(message, again = null) {
  if ($("error").hidden) errorFocus.from = document.activeElement;
  $("error-text").textContent = message;
  retry.step = again;
  $("error-retry").hidden = !again;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  retry.step = null;
}

// Its button, or Escape anywhere on the page.
function dismissError() {
  const back = errorFocus.from;
  const inside = $("error").contains(document.activeElement);
  clearError();
  if (inside && back && back.isConnected && !back.closest("[hidden]") && !back.disabled) {
    back.focus();
  }
}

// Runs one step with the page marked busy; an error is shown on the page, never thrown, and
// handed back (null when the step worked). What the step returns ("Hint 2 placed at 10,
// 20.") leads the status line for a screen reader, which reads it out (role=status): the
// outcome, not only the photo's name. Out of sight (the change itself is in view): a longer
// line would wrap the header and move the page. One step at a time: a second tap while one
// runs (a double tap on a button, on a slow connection) does not send the request twice.
async function busy(what, step) {
  if (document.body.dataset.state === "busy") return null;
  document.body.dataset.state = "busy";
  setBusyText(what);
  let said = "", failed = null;
  try {
    said = (await step()) || "";
    clearError();
  } catch (err) {
    failed = err;
    // No answer came: the same step may work once the connection is back (Retry).
    showError(err.message, err instanceof NetworkError ? () => busy(what, step) : null);
  } finally {
    document.body.dataset.state = state.photo ? "ready" : "empty";
    afterBusy.splice(0).forEach((go) => go());
    // No photo open (a first one failed to open): the idle line, which the empty stage shows;
    // a step that needs none (someone else's colorization checked) is still said first.
    $("status").textContent = state.photo ? statusLine() : $("stage-empty").textContent;
    if (said) $("status").prepend(el("span", "visually-hidden", `${said} `));
  }
  return failed;
}

// Steps waiting for the one under way (whenIdle): a photo picked during a slow run.
const afterBusy = [];

function whenIdle() {
  if (document.body.dataset.state !== "busy") return Promise.resolve();
  return new Promise((go) => afterBusy.push(go));
}

// What the busy step is doing, on the photo ("uploading 41%") and in the status line, which
// a screen reader reads out at each change: `said` there, coarser ("uploading 25%") where a
// line every few percent would be read out a dozen times a second.
function setBusyText(what, said = what) {
  if ($("status").textContent !== said + "…") $("status").textContent = said + "…";
  $("busy").textContent = what + "…";
}

function statusLine() {
  const p = state.photo;
  const secs = state.view ? Object.values(state.view.timings).reduce((a, b) => a + b, 0) : 0;
  return `${p.name} · ${p.width}×${p.height} px` + (state.view ? ` · ${secs.toFixed(1)} s` : "") +
    (state.closed ? ` · ${state.closed}` : "");
}

// -- colorizing (opening: open.js) ----------------------------------------------------------------

async function colorize() {
  // Caption, reference photo, album split: as `--caption`, `--exemplar`, `--no-split-page`.
  const body = { hint: $("edit-hint").value, era: $("edit-era").value,
                 region: $("edit-region").value, negative: $("edit-negative").checked,
                 caption: $("edit-caption").value, references: guidance.references(), ...albumChoice(),
                 color_hints: state.hints.map(({ source, ...hint }) =>
                   (source ? { ...hint, source } : hint)) };
  const sent = [...state.hints];
  const view = await postJSON(`api/photos/${state.photo.id}/colorize`, body);
  const base = `api/photos/${state.photo.id}`;
  const v = `?v=${view.version}`;
  const shownBefore = $("original").getAttribute("src");
  const loaded = await Promise.all([
    loadBefore(view),  // before.js: a negative's positive, or the photo as given
    loadImage($("colorized"), `${base}/colorized.png${v}`),
    loadImage($("uncertainty-overlay"), `${base}/uncertainty.png${v}`),
    view.regions.length ? loadImage($("regions-overlay"), `${base}/regions.png${v}`) : true,
  ]);
  // The answer came and its pictures did not (the connection dropped in between): the page
  // keeps the last colorization whole, and the error offers to run this one again.
  if (!loaded.every(Boolean)) {
    if (shownBefore !== null) $("original").src = shownBefore;
    throw new NetworkError();
  }
  state.view = view;
  if (view.closed) state.closed = view.closed;
  labelBefore(view);
  state.viewHints = sent;  // the hints this view's hint regions are, in their order
  $("highlight-overlay").hidden = true;
  renderContext(view.context, view.notes);
  renderExemplars(view.exemplars);
  renderRegions(view.regions);
  renderRegionLabels(view.regions);
  renderHints();
  $("uncertainty-mean").textContent = `mean ${view.uncertainty.mean.toFixed(2)}`;
  // The full-size file with its provenance, as the command line writes it, in the format
  // chosen (guidance.js); the server's Content-Disposition names it (.colorized.png, ...).
  setDownloadLink(`${base}/download${v}`);
  document.body.dataset.version = String(view.version);
  document.dispatchEvent(new CustomEvent("colorized"));  // check.js: the report, the check
}

// Shows `src` in `img`: true once it loaded; false where it could not, the image shown before
// put back (none: no src, so no broken-image icon).
function loadImage(img, src) {
  const before = img.getAttribute("src");
  return new Promise((resolve) => {
    img.onload = () => resolve(true);
    img.onerror = () => {
      img.onerror = null;
      if (before === null) img.removeAttribute("src");
      else img.src = before;
      resolve(false);
    };
    img.src = src;
  });
}

// -- the overlays (the comparison's split: compare.js) --------------------------------------

function setOverlays() {
  $("uncertainty-overlay").hidden = !$("show-uncertainty").checked;
  $("uncertainty-legend").hidden = !$("show-uncertainty").checked;
  $("regions-overlay").hidden = !$("show-regions").checked;
  $("region-labels").hidden = !$("show-regions").checked;
}

// Each hint's number on the region map, on its region (the server's `label_at`), in the
// color the map paints that region: the number and color the hint list shows for the hint.
function renderRegionLabels(regions) {
  const box = $("region-labels");
  box.replaceChildren();
  for (const r of regions.filter((r) => r.kind === "hint" && r.label_at)) {
    const label = el("span", "region-label", String(r.number));
    label.dataset.region = String(r.id);
    label.style.left = `${r.label_at[0] * 100}%`;
    label.style.top = `${r.label_at[1] * 100}%`;
    label.style.background = r.color;
    box.append(label);
  }
}

function highlightRegion(rid) {
  const overlay = $("highlight-overlay");
  document.querySelectorAll("#region-list li").forEach((li) =>
    li.classList.toggle("active", li.dataset.region === String(rid)));
  // Each exemplar's toggle says whether its region is the one shown (a screen reader: "pressed").
  document.querySelectorAll("#exemplar-list button[data-region]").forEach((b) =>
    b.setAttribute("aria-pressed", String(b.dataset.region === String(rid))));
  if (rid === null || !state.view) { overlay.hidden = true; return; }
  overlay.src = `api/photos/${state.photo.id}/region/${rid}.png?v=${state.view.version}`;
  overlay.hidden = false;
}

// -- the context card, exemplars, regions ---------------------------------------------------

function renderContext(card, notes) {
  const box = $("context-fields");
  box.replaceChildren();
  for (const f of card.fields) {
    const row = document.createElement("div");
    row.className = "field";
    row.dataset.field = f.field;
    const name = el("span", "name", f.field);
    const value = el("span", f.value === null ? "value unknown" : "value",
                     f.value === null ? "unknown" : f.value);
    row.append(name, value);
    if (f.confidence !== null) {
      const bar = el("span", "conf");
      bar.title = `confidence ${pct(f.confidence)}`;
      const fill = document.createElement("i");
      fill.style.width = pct(f.confidence);
      bar.append(fill);
      row.append(bar, el("span", "muted", `${pct(f.confidence)}` + (f.source ? ` · ${f.source}` : "")));
    }
    const details = document.createElement("details");
    // Which field's evidence, for a screen reader listing the page's summaries.
    const summary = el("summary", "", f.value === null ? "why unknown" : "evidence");
    summary.append(el("span", "visually-hidden", ` for the ${f.field}`));
    if (f.value === null) {
      details.append(summary, el("div", "", f.unknown || "no evidence"));
    } else {
      summary.append(` (${f.evidence.length})`);
      details.append(summary);
      const ul = document.createElement("ul");
      for (const e of f.evidence) ul.append(el("li", "", `${e.what} — ${e.source}, ${pct(e.score)}`));
      details.append(ul);
    }
    row.append(details);
    box.append(row);
  }
  const extra = [...card.conflicts, ...notes];
  $("context-notes").textContent = extra.join(" · ");
  const era = card.fields.find((f) => f.field === "era");
  const region = card.fields.find((f) => f.field === "region");
  $("edit-era").placeholder = era.value ? `inferred: ${era.value}` : "e.g. 1950s";
  $("edit-region").placeholder = region.value ? `inferred: ${region.value}` : "e.g. Kazan";
}

function renderExemplars(exemplars) {
  const box = $("exemplar-list");
  box.replaceChildren();
  if (!exemplars.length) {
    box.append(el("p", "muted", "No exemplar guided this photo (none matched its context)."));
    return;
  }
  for (const x of exemplars) {
    const card = el("div", "exemplar");
    let img = el("div", "no-thumb", "not used");
    if (x.thumbnail !== null) {
      img = document.createElement("img");
      img.alt = x.title;
      img.src = `api/photos/${state.photo.id}/exemplar/${x.thumbnail}.png?v=${state.view.version}`;
    }
    const text = document.createElement("div");
    text.append(el("div", "title", x.title));
    text.append(el("small", "", `${x.kind}` + (x.score != null ? ` · score ${x.score.toFixed(2)}` : "")));
    if (x.source) {
      const src = /^https?:\/\//.test(x.source) ? link(x.source) : document.createTextNode(x.source);
      const s = el("small", "", "source: ");
      s.append(src);
      if (x.license) s.append(` (${x.license})`);
      text.append(s);
    }
    if (!x.used) {
      text.append(el("small", "", "matched, not used (the slots were full)"));
    } else {
      text.append(el("small", "", `gave ${pct(x.color_share || 0)} of the color`));
      const region = state.view.regions.find((r) => r.id === x.region);
      if (!region || region.share === 0) {
        text.append(el("small", "", "decided no region of this photo (not found in it)"));
      } else {
        // A toggle named for its exemplar: every card's button had the same accessible
        // name, and none said whether its highlight was on.
        const show = document.createElement("button");
        show.type = "button";
        show.textContent = "where its color went";
        show.dataset.region = String(x.region);
        show.setAttribute("aria-label", `where the color of ${x.title} went`);
        show.setAttribute("aria-pressed", "false");
        show.addEventListener("click", () => highlightRegion(
          show.getAttribute("aria-pressed") === "true" ? null : x.region));
        text.append(show);
      }
    }
    card.append(img, text);
    box.append(card);
  }
}

function renderRegions(regions) {
  const list = $("region-list");
  list.replaceChildren();
  // Exemplars retrieved for the context that colored no pixel go under one collapsed line,
  // not among the sources of the colors.
  const unused = regions.filter((r) => r.kind === "exemplar" && r.share === 0);
  for (const r of regions.filter((r) => !unused.includes(r))) {
    const li = document.createElement("li");
    li.dataset.region = String(r.id);
    // In the region map's color; a hint with its number, as the map and the hint list show it.
    li.append(swatch(r.color, r.number), r.label);
    const share = r.share > 0 && r.share < 0.005 ? "under 1%" : pct(r.share);
    li.append(el("small", "", `${share} of the photo · confidence ${pct(r.confidence)}` +
                              (r.source ? ` · source: ${r.source}` : "")));
    // Shown on the photo while pointed at or focused (Tab reaches each row).
    li.tabIndex = 0;
    li.addEventListener("mouseenter", () => highlightRegion(r.id));
    li.addEventListener("mouseleave", () => highlightRegion(null));
    li.addEventListener("focus", () => highlightRegion(r.id));
    li.addEventListener("blur", () => highlightRegion(null));
    list.append(li);
  }
  if (!unused.length) return;
  const group = document.createElement("details");
  const n = unused.length;
  group.append(el("summary", "",
                  `${n} exemplar${n > 1 ? "s" : ""} retrieved, not found in the photo`));
  const names = document.createElement("ul");
  for (const r of unused) names.append(el("li", "", r.label));
  group.append(names);
  const li = el("li", "unused");
  li.append(group);
  list.append(li);
}

// -- small helpers ----------------------------------------------------------------------------

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// A color's square; with `number`, a larger one holding it (a hint's number).
function swatch(color, number) {
  const s = el("span", number === undefined ? "swatch" : "swatch numbered",
               number === undefined ? undefined : String(number));
  s.style.background = color;
  return s;
}

function link(url) {
  const a = el("a", "", url);
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener";
  return a;
}

function pct(x) { return `${Math.round(x * 100)}%`; }

// -- wiring -----------------------------------------------------------------------------------

async function start() {
  // The file chooser works at once: a photo chosen while api/info was on its way was ignored
  // (its listener came after that answer); the path and job boxes show once it says so.
  wireOpening();  // open.js
  const info = await pageInfo();  // net.js: {} where it did not answer
  $("open-path").hidden = !info.paths;
  $("open-job-box").hidden = !info.jobs;
  state.maxUploadMb = info.max_upload_mb || null;  // open.js: refused before it is sent
  state.local = Boolean(info.local);  // open.js: a file over the limit names --max-upload-mb
  $("context-edit").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!state.photo) return;
    busy("re-running with the new context", async () => {
      await colorize();
      return "Re-run with the new context.";
    });
  });
  $("split").addEventListener("input", () => setSplit(Number($("split").value)));
  $("show-uncertainty").addEventListener("change", setOverlays);
  $("show-regions").addEventListener("change", setOverlays);
  $("download-colorized").addEventListener("click", (e) => {
    if (!state.view) e.preventDefault();
  });
  $("error-close").addEventListener("click", dismissError);
  $("error-retry").addEventListener("click", () => {
    const again = retry.step;
    clearError();
    if (again) again();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented && !$("error").hidden) dismissError();
  });
  setSplit(Number($("split").value));
  setOverlays();
}

document.addEventListener("DOMContentLoaded", start);
