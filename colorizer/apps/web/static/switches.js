// The photo's switches that re-colorize it at once when changed: "This is a negative" (wired
// here) and "Album page: colorize each print on its own" (album.js). Both had the same dozen
// lines (the box put back while busy or after a failed run); they share them here.
// Uses app.js's helpers ($, state, busy, colorize).
"use strict";

// `box` was just changed with a photo open: the photo re-colorized as it now says. While
// another step runs nothing re-runs, so the box goes back to what the view shows; it goes
// back too when the run fails (the page still shows the last colorization). `words`:
// {on: [what runs, what is said once done], off: [...]}, as busy() says them.
async function recolorizeForSwitch(box, words) {
  if (document.body.dataset.state === "busy") {
    box.checked = !box.checked;
    return;
  }
  const checked = box.checked;
  const [doing, done] = checked ? words.on : words.off;
  const failed = await busy(doing, async () => {
    await colorize();
    return done;
  });
  if (failed) box.checked = !checked;
}

// No photo: nothing re-runs, so the box goes back to what the view shows (open.js sets it
// from each photo opened).
function negativeChanged() {
  const box = $("edit-negative");
  if (!state.photo) {
    box.checked = !box.checked;
    return;
  }
  recolorizeForSwitch(box, {
    on: ["re-colorizing as a negative", "Re-colorized as a negative."],
    off: ["re-colorizing as a print", "Re-colorized as a print."],
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("edit-negative").addEventListener("change", negativeChanged);
});
