// What the command line and the service take beside a hint, on the page: the archive's
// caption (the context form's textarea, sent by app.js's colorize as `colorize --caption`),
// a reference photo (`colorize --exemplar`: the photo takes its colors from it wherever they
// match) and the download's format (`colorize --format`, encoded by the same writer). Uses
// app.js's helpers ($, state, busy, colorize, showError, whenIdle), open.js's oversize and
// net.js's NetworkError.
"use strict";

// The chosen reference photo, {name, data: a data: URI}: sent whole with every run, as the
// color hints are (the workbench keeps no state but the photos).
const guidance = {
  reference: null,
  references() { return this.reference ? [this.reference] : []; },
};

const FORMAT_NAMES = { png: "PNG", jpeg: "JPEG", webp: "WebP", tiff: "TIFF" };

// The download link of the colorization at `href` (null: the last one's) in the format
// chosen; its words name the format, so a screen reader says what will be saved.
function setDownloadLink(href) {
  const link = $("download-colorized");
  if (href) link.dataset.base = href;
  const fmt = $("download-format").value;
  link.textContent = `Download the colorization (${FORMAT_NAMES[fmt]})`;
  if (!link.dataset.base) return;
  const join = link.dataset.base.includes("?") ? "&" : "?";
  link.href = `${link.dataset.base}${join}format=${fmt}`;
  link.download = "";
  link.removeAttribute("aria-disabled");
}

function readDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function showReference() {
  const ref = guidance.reference;
  $("reference-chosen").hidden = !ref;
  $("reference-name").textContent = ref ? `reference photo: ${ref.name}` : "";
}

// A photo was opened: its own caption and reference, none until given (as the era and
// region are cleared for it).
function guidanceOpened() {
  $("edit-caption").value = "";
  guidance.reference = null;
  showReference();
  $("reference-file").disabled = false;
}

// A reference photo chosen: the photo colorized with it at once. One the server refuses (a
// gray photo has no color to lend) is not kept: the error box says why.
async function chooseReference() {
  const file = $("reference-file").files[0];
  $("reference-file").value = "";
  if (!file || !state.photo) return;
  const refusal = oversize(file, "choose");
  if (refusal) { showError(refusal); return; }
  let data;
  try {
    data = await readDataUrl(file);
  } catch (err) {
    showError(`${file.name}: the browser could not read the file; choose it again`);
    return;
  }
  await whenIdle();
  const before = guidance.reference;
  guidance.reference = { name: file.name, data };
  showReference();
  const failed = await busy("colorizing with the reference photo", async () => {
    await colorize();
    return `Colorized with the reference photo ${file.name}.`;
  });
  if (failed && !(failed instanceof NetworkError)) {
    guidance.reference = before;
    showReference();
  }
}

async function removeReference() {
  if (!guidance.reference || document.body.dataset.state === "busy") return;
  guidance.reference = null;
  showReference();
  $("reference-file").focus();  // the pressed button is gone with its line
  await busy("removing the reference photo", async () => {
    await colorize();
    return "Reference photo removed.";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("reference-file").addEventListener("change", chooseReference);
  $("reference-remove").addEventListener("click", removeReference);
  $("download-format").addEventListener("change", () => setDownloadLink(null));
});
