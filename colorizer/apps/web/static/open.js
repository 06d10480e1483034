// Opening a photo: an upload (saying how much of it went: a phone's photo takes a minute on
// 3G), a path on this machine, or an item of a job of the HTTP service; then its first
// colorization. Uses app.js's helpers ($, state, busy, colorize, setBusyText, whenIdle),
// hints.js's (hintsOpened, renderHints), album.js's albumOpened and net.js's (postJSON,
// upload).
"use strict";

async function opened(photo) {
  state.photo = photo;
  // A job item's color hints (with their sources) come with it: the run matches the job's.
  state.hints = (photo.color_hints || []).map((hint) => ({ ...hint }));
  state.view = null;
  $("edit-hint").value = photo.hint || "";
  $("edit-era").value = "";
  $("edit-region").value = "";
  guidanceOpened();  // guidance.js: no caption or reference photo of the last one
  // A print until said otherwise; a job's item as the job colorized it.
  $("edit-negative").checked = Boolean(photo.negative);
  $("edit-negative").disabled = false;
  albumOpened(photo);  // album.js: a job's item split, or kept whole, as the job did
  $("original").src = `api/photos/${photo.id}/original.png`;
  $("original").alt = `${photo.name}, the original`;
  $("before-label").textContent = "original";  // until its colorization says (before.js)
  $("colorized").alt = `${photo.name}, colorized`;
  $("rerun").disabled = false;
  $("rerun").removeAttribute("title");  // "open a photo first"
  hintsOpened(photo);
  renderHints();
  state.closed = photo.closed || "";  // older photos closed to make room for it (app.js)
  await colorize();
  return "Opened and colorized.";
}

// A photo over the workbench's limit, said before it is sent (its real size, what to do):
// the server would refuse it only once all of it had gone, a minute or more on 3G. `verb`:
// what the person does with the smaller copy ("open" here, "choose" in the check panel).
// On a workbench on this machine the person started it: the flag that lets the file in is
// named with the size it needs (a 157 MB 16-bit scan had only "open a smaller copy").
function oversize(file, verb = "open") {
  const limit = state.maxUploadMb;
  if (!limit || file.size <= limit * 1e6) return null;
  const flag = state.local ?
    `start the workbench with --max-upload-mb ${Math.ceil(file.size / 1e6)} to open it, or ` : "";
  return `${file.name}: ${(file.size / 1e6).toFixed(1)} MB, larger than the workbench's ` +
    `${limit} MB limit; ${flag}${verb} a smaller copy (a phone's photo editor or share ` +
    "sheet can export one)";
}

function wireOpening() {
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (!file) return;
    $("file").value = "";
    const refusal = oversize(file);
    if (refusal) { showError(refusal); return; }
    const form = new FormData();
    form.append("file", file);
    // Picked while a run is under way (a slow one, on 3G): opened once it is done, not
    // beside it (two runs racing for the page) and not dropped.
    await whenIdle();
    busy("opening", async () => {
      const photo = await upload("api/photos", form, (done) => {
        if (done >= 1) { setBusyText("opening"); return; }
        setBusyText(`uploading ${Math.floor(done * 100)}%`,
                    `uploading ${Math.floor(done * 4) * 25}%`);  // read out by the quarter
      });
      return opened(photo);
    });
  });
  $("open-path").addEventListener("submit", (e) => {
    e.preventDefault();
    busy("opening", async () => opened(await postJSON("api/photos/open-path", { path: $("path").value })));
  });
  $("open-job").addEventListener("submit", (e) => {
    e.preventDefault();
    busy("fetching the job", async () => {
      const photo = await postJSON("api/photos/open-job", {
        service: $("job-service").value, job: $("job-id").value, key: $("job-key").value,
        item: Number($("job-item").value || 0) });
      // The popover would stay over the context card; focus in it goes to its summary.
      const box = $("open-job-box");
      const within = box.contains(document.activeElement);
      box.open = false;
      if (within) box.querySelector("summary").focus();
      return opened(photo);
    });
  });
}
