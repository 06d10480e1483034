// Moving a color point hint: its marker on the photo dragged by a finger (or the mouse, or a
// pen: pointer events) to where the color really is, and the photo colorized again with it
// there. The marker takes the drag, not the page: elsewhere on the photo a finger still
// scrolls and pinches. A tap on a marker that does not move it changes nothing (no second
// hint on top of the first), and a second finger put down during a drag undoes it (a pinch
// that began on the dot moves no hint). With the keyboard: Tab to the marker, the arrow keys
// take it (Shift: ten times farther), Enter or Space lets it go there, Escape or leaving it
// puts it back. Either way one run, when the hint is let go: none while it is on its way.
// Uses app.js's helpers ($, state, busy, colorize, el, statusLine), hints.js's (arrowStep,
// moveCursor, placeDot, renderHints, hintText), and net.js's NetworkError.
"use strict";

const drag = { k: null, id: null, moved: false, point: null, from: null };
const DRAG_SLOP = 4;  // CSS px a finger wobbles in a tap: less is not a move

// The hint a marker moved by the arrow keys is, and where they took it (not yet let go).
const keyMove = { k: null, point: null };

// Where the pointer is on the photo, in image pixels, kept on the photo.
function photoPoint(event) {
  const rect = $("original").getBoundingClientRect();
  const x = (event.clientX - rect.left) / rect.width * state.photo.width;
  const y = (event.clientY - rect.top) / rect.height * state.photo.height;
  return [Math.min(Math.max(Math.floor(x), 0), state.photo.width - 1),
          Math.min(Math.max(Math.floor(y), 0), state.photo.height - 1)];
}

// Hint k let go at `point`: the photo colorized again with it there (one run), or, refused
// there, the hint back where it was (the error says why). No answer: kept, for Retry.
function commitMove(k, point) {
  const hint = state.hints[k];
  const was = hint.point;
  hint.point = point;
  moveCursor(point[0], point[1]);
  renderHints();
  busy("moving the hint", async () => {
    await colorize();
    return `Hint ${k + 1} moved to ${point[0]}, ${point[1]}.`;
  }).then((failed) => {
    if (failed && !(failed instanceof NetworkError) && hint.point === point) {
      hint.point = was;
      renderHints();
    }
  });
}

// -- with a finger, the mouse or a pen --------------------------------------------------------

function dragStart(event) {
  const marker = event.target.closest(".marker");
  if (!marker || !state.photo || document.body.dataset.state === "busy") return;
  if (drag.k !== null) {  // a second finger: a pinch, not a move
    renderHints();  // back where it was
    drag.k = null;
    return;
  }
  event.preventDefault();
  keyMove.k = null;  // the pointer takes over from the arrow keys
  marker.setPointerCapture(event.pointerId);
  Object.assign(drag, { k: Number(marker.dataset.hint), id: event.pointerId, moved: false,
                        point: null, from: [event.clientX, event.clientY] });
}

function dragMove(event) {
  if (drag.k === null || event.pointerId !== drag.id) return;
  if (!drag.moved && Math.hypot(event.clientX - drag.from[0],
                                event.clientY - drag.from[1]) < DRAG_SLOP) return;
  drag.moved = true;
  drag.point = photoPoint(event);
  placeDot(event.target.closest(".marker"), drag.k, drag.point);
}

function dragEnd(event) {
  if (drag.k === null || event.pointerId !== drag.id) return;
  const { k, moved, point } = drag;
  drag.k = null;
  if (event.type === "pointercancel" || !moved || !point || !state.hints[k]) {
    renderHints();  // back where it was
    return;
  }
  commitMove(k, point);
}

// A second finger anywhere else on the page, during a drag: the gesture is a pinch.
function dragOtherFinger(event) {
  if (drag.k === null || event.pointerId === drag.id || event.target.closest(".marker")) return;
  drag.k = null;
  renderHints();  // back where it was
}

// -- with the keyboard ------------------------------------------------------------------------

// Said by the status line (role=status), out of sight, before the photo's line it shows.
function sayMove(said) {
  $("status").replaceChildren(el("span", "visually-hidden", `${said} `), statusLine());
}

function dotKey(event) {
  const dot = event.target.closest(".marker");
  if (!dot || !state.photo || event.altKey || event.ctrlKey || event.metaKey) return;
  const k = Number(dot.dataset.hint), hint = state.hints[k];
  const step = arrowStep(event);
  const enter = event.key === "Enter" || event.key === " ";
  if (!hint || (!step && !enter && !(event.key === "Escape" && keyMove.k === k))) return;
  event.preventDefault();  // no scrolling, no hint placed by the photo's keys
  if (document.body.dataset.state === "busy") return;  // a run under way: one at a time
  const from = keyMove.k === k ? keyMove.point : hint.point;
  if (step) {
    const point = [Math.min(Math.max(from[0] + step[0], 0), state.photo.width - 1),
                   Math.min(Math.max(from[1] + step[1], 0), state.photo.height - 1)];
    Object.assign(keyMove, { k, point });
    placeDot(dot, k, point);
    sayMove(`Hint ${k + 1} to ${point[0]}, ${point[1]}: Enter moves it here, Escape leaves ` +
            `it at ${hint.point[0]}, ${hint.point[1]}.`);
  } else if (enter && keyMove.k === k && (from[0] !== hint.point[0] || from[1] !== hint.point[1])) {
    keyMove.k = null;
    commitMove(k, from);
  } else if (keyMove.k === k) {  // Escape, or Enter where it was
    keyMove.k = null;
    placeDot(dot, k, hint.point);
    sayMove(`Hint ${k + 1} left at ${hint.point[0]}, ${hint.point[1]}.`);
  } else {  // Enter on a dot not moved: nothing to run, only how to move it
    sayMove(`Hint ${k + 1} is at ${hint.point[0]}, ${hint.point[1]}: the arrow keys move it.`);
  }
}

// Focus gone from a dot on its way (Tab, a click elsewhere): it goes back, unmoved, as a
// drag the browser cancels does. Only the one dot is put back: redrawing them all would
// lose the focus on its way to the next one.
function dotLeft(event) {
  const dot = event.target.closest(".marker");
  if (!dot || keyMove.k !== Number(dot.dataset.hint) || !state.hints[keyMove.k]) return;
  const k = keyMove.k;
  keyMove.k = null;
  placeDot(dot, k, state.hints[k].point);
  sayMove(`Hint ${k + 1} not moved: it is still at ${hintText(state.hints[k])}.`);
}

document.addEventListener("DOMContentLoaded", () => {
  const markers = $("markers");
  markers.addEventListener("pointerdown", dragStart);
  markers.addEventListener("pointermove", dragMove);
  markers.addEventListener("pointerup", dragEnd);
  markers.addEventListener("pointercancel", dragEnd);
  document.addEventListener("pointerdown", dragOtherFinger, true);
  markers.addEventListener("keydown", dotKey);
  markers.addEventListener("focusout", dotLeft);
  // The click that ends a drag or a tap on a marker is the marker's: it places no new hint.
  markers.addEventListener("click", (event) => {
    if (event.target.closest(".marker")) event.stopPropagation();
  });
});
