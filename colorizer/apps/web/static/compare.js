// Comparing by dragging on the photo: a finger (or the mouse, or a pen) drawn sideways across
// the photo takes the split between the colorization and the original with it, as the slider
// under the photo does. The photo lets the page scroll up and down and pinch-zoom under a
// finger (style.css: touch-action), so only a sideways drag is the page's: a swipe up or down
// still scrolls, a tap still places a hint (hints.js), a hint's dot is still dragged to move
// it (move.js). A drag that compared places no hint when it ends. A gesture of two fingers or
// more (a pinch-zoom, a two-finger pan) is the browser's alone: it never compares, and a split
// the first finger had already moved goes back; nor does it place a hint.
// Uses app.js's helpers ($, state).
"use strict";

// The colorization shown left of `percent` % of the photo's width, the original right of it.
// The slider's value is said in those words ("30% colorization on the left, 70% original on
// the right"): a screen reader read out a bare "30", which says neither which side is which
// nor that the before may be an inverted negative (before.js names it under the slider).
function setSplit(percent) {
  $("colorized-layer").style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
  $("divider").style.left = `${percent}%`;
  $("split").setAttribute("aria-valuetext", `${percent}% colorization on the left, ` +
                          `${100 - percent}% ${$("before-label").textContent} on the right`);
}

const compare = { id: null, from: null, on: false, justDone: false, splitBefore: null };
const COMPARE_SLOP = 6;  // CSS px: a tap's wobble is not a drag
// The fingers (and pens) on the screen now, anywhere on the page: a pinch's second finger may
// land off the photo.
const fingers = new Set();

// The split where the pointer is, in % of the photo's width, kept on the photo.
function splitAt(event) {
  const rect = $("original").getBoundingClientRect();
  const percent = (event.clientX - rect.left) / rect.width * 100;
  return Math.min(Math.max(Math.round(percent), 0), 100);
}

function compareStart(event) {
  // A hint's dot is move.js's; a second finger is a pinch, the browser's.
  if (!state.view || event.target.closest(".marker") || !event.isPrimary) return;
  if (event.pointerType === "mouse" && event.button !== 0) return;
  Object.assign(compare, { id: event.pointerId, from: [event.clientX, event.clientY],
                           on: false, justDone: false, splitBefore: $("split").value });
}

// Counted in the capture phase, before compareStart and move.js see the finger.
function fingerDown(event) {
  if (event.pointerType === "mouse") return;
  if (event.isPrimary) fingers.clear();  // the first finger of a new gesture: none is left
  fingers.add(event.pointerId);
  if (fingers.size < 2) return;
  // A second finger: a pinch or a pan, not a comparison. A pinch's first finger may slide
  // past COMPARE_SLOP before the second lands (compare already on): its split goes back.
  if (compare.on) {
    $("split").value = compare.splitBefore;
    setSplit(Number(compare.splitBefore));
  }
  compare.id = null;
  compare.on = false;
  compare.justDone = true;  // a click at its end (none seen in Chromium) places no hint
}

function fingerUp(event) {
  fingers.delete(event.pointerId);
}

function compareMove(event) {
  if (event.pointerId !== compare.id) return;
  if (!compare.on) {
    const dx = event.clientX - compare.from[0], dy = event.clientY - compare.from[1];
    if (Math.hypot(dx, dy) < COMPARE_SLOP) return;
    // Mostly up or down: a scroll (a finger's is the browser's already: pointercancel).
    if (Math.abs(dy) > Math.abs(dx)) { compare.id = null; return; }
    compare.on = true;
    $("stage").setPointerCapture(event.pointerId);  // followed past the photo's edges
  }
  const percent = splitAt(event);
  $("split").value = String(percent);
  setSplit(percent);
}

function compareEnd(event) {
  if (event.pointerId !== compare.id) return;
  compare.justDone = compare.on;  // the click that follows is the drag's, not a hint's
  compare.id = null;
  compare.on = false;
}

document.addEventListener("DOMContentLoaded", () => {
  // A negative's before is named again at each colorization (before.js): said the new way.
  document.addEventListener("colorized", () => setSplit(Number($("split").value)));
  const stage = $("stage");
  stage.addEventListener("pointerdown", compareStart);
  stage.addEventListener("pointermove", compareMove);
  stage.addEventListener("pointerup", compareEnd);
  stage.addEventListener("pointercancel", compareEnd);
  document.addEventListener("pointerdown", fingerDown, true);
  document.addEventListener("pointerup", fingerUp, true);
  document.addEventListener("pointercancel", fingerUp, true);
  // Before hints.js's listener (capture): a mouse's click after a drag places nothing.
  stage.addEventListener("click", (event) => {
    if (!compare.justDone) return;
    compare.justDone = false;
    event.stopImmediatePropagation();
  }, true);
  // The browser's own drag of an image (a mouse's) would take the pointer away.
  stage.addEventListener("dragstart", (event) => event.preventDefault());
});
