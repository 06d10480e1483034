// Moving a color point hint: its marker on the photo dragged by a finger (or the mouse, or a
// pen: pointer events) to where the color really is, and the photo colorized again with it
// there. The marker takes the drag, not the page: elsewhere on the photo a finger still
// scrolls and pinches. A tap on a marker that does not move it changes nothing (no second
// hint on top of the first). With the keyboard: remove the hint and place it again.
// Uses app.js's helpers ($, state, busy, colorize) and hints.js's (moveCursor, renderHints),
// and net.js's NetworkError.
"use strict";

const drag = { k: null, id: null, moved: false, point: null, from: null };
const DRAG_SLOP = 4;  // CSS px a finger wobbles in a tap: less is not a move

// Where the pointer is on the photo, in image pixels, kept on the photo.
function photoPoint(event) {
  const rect = $("original").getBoundingClientRect();
  const x = (event.clientX - rect.left) / rect.width * state.photo.width;
  const y = (event.clientY - rect.top) / rect.height * state.photo.height;
  return [Math.min(Math.max(Math.floor(x), 0), state.photo.width - 1),
          Math.min(Math.max(Math.floor(y), 0), state.photo.height - 1)];
}

function dragStart(event) {
  const marker = event.target.closest(".marker");
  if (!marker || !state.photo || document.body.dataset.state === "busy") return;
  event.preventDefault();
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
  const marker = event.target.closest(".marker");
  marker.style.left = `${(drag.point[0] + 0.5) / state.photo.width * 100}%`;
  marker.style.top = `${(drag.point[1] + 0.5) / state.photo.height * 100}%`;
}

function dragEnd(event) {
  if (drag.k === null || event.pointerId !== drag.id) return;
  const { k, moved, point } = drag;
  drag.k = null;
  const hint = state.hints[k];
  if (event.type === "pointercancel" || !moved || !point || !hint) {
    renderHints();  // back where it was
    return;
  }
  const was = hint.point;
  hint.point = point;
  moveCursor(point[0], point[1]);
  renderHints();
  busy("moving the hint", async () => {
    await colorize();
    return `Hint ${k + 1} moved to ${point[0]}, ${point[1]}.`;
  }).then((failed) => {
    // Refused there: back where it was (the error says why). No answer: kept, for Retry.
    if (failed && !(failed instanceof NetworkError) && hint.point === point) {
      hint.point = was;
      renderHints();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const markers = $("markers");
  markers.addEventListener("pointerdown", dragStart);
  markers.addEventListener("pointermove", dragMove);
  markers.addEventListener("pointerup", dragEnd);
  markers.addEventListener("pointercancel", dragEnd);
  // The click that ends a drag or a tap on a marker is the marker's: it places no new hint.
  markers.addEventListener("click", (event) => {
    if (event.target.closest(".marker")) event.stopPropagation();
  });
});
