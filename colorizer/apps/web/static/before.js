// The slider's "before": the photo as its colorization read it. A print: the photo as given
// (original.png). A scanned negative colorized as one: its positive gray (positive.png), made
// by the server with the pipeline's own steps, the gray whose L* the colorization kept; the
// scan itself showed inverted tones beside the colors, which compared nothing.
// Uses app.js's helpers ($, loadImage, state).
"use strict";

// The positive's URL carries no version: it depends on the photo's bytes alone, so a hint
// placed on a negative does not fetch it again.
function beforeUrl(view) {
  const base = `api/photos/${state.photo.id}`;
  return view.negative ? `${base}/positive.png` : `${base}/original.png`;
}

// Shows the before of `view` (a colorization's answer): true once shown (at once where it
// already is), false where it could not load (the one shown before kept).
function loadBefore(view) {
  const img = $("original");
  const src = beforeUrl(view);
  return img.getAttribute("src") === src ? Promise.resolve(true) : loadImage(img, src);
}

// Says which it is, in its alt text and under the slider.
function labelBefore(view) {
  const name = state.photo.name;
  $("original").alt = view.negative
    ? `${name}, the negative as a positive (its tones inverted, as it was colorized)`
    : `${name}, the original`;
  $("before-label").textContent = view.negative ? "original, inverted" : "original";
}
