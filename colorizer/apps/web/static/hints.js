// Color hints: placed with the mouse (a click on the photo), with the keyboard (the photo
// focused, the arrow keys move a cross over it, Enter places the hint there) or by typing the
// point's X and Y; listed with their color in words (hex or name) beside the swatch, each with
// a remove button that says which hint it removes. Uses app.js's helpers ($, state, busy,
// colorize, el, swatch, pct) and net.js's NetworkError.
"use strict";

// Where the next hint goes, in image pixels: the cross over the photo and the X, Y fields.
const cursor = { x: 0, y: 0 };

// -- placing ----------------------------------------------------------------------------------

// The hint's color as the person gave it: the typed name or hex, else the picker's.
function hintColor() {
  return $("hint-color-text").value.trim() || $("hint-color").value;
}

function placeHint(x, y) {
  if (!state.photo || document.body.dataset.state === "busy") return;
  if (!(x >= 0 && y >= 0 && x < state.photo.width && y < state.photo.height)) {
    showError(`the point ${x}, ${y} is outside the photo (0–${state.photo.width - 1}, ` +
              `0–${state.photo.height - 1})`);
    return;
  }
  const hint = { point: [x, y], color: hintColor(), source: $("hint-source").value.trim() };
  state.hints.push(hint);
  renderHints();  // its marker at once, where the finger or pointer was: a slow run follows
  const number = state.hints.length;
  busy("placing the hint", async () => {
    await colorize();
    return `Hint ${number} placed at ${x}, ${y}.`;
  }).then((failed) => {
    // A refused hint (a conflict, say) is not kept: the error says why. One that got no
    // answer (the connection dropped) is, for the error's Retry.
    if (failed && !(failed instanceof NetworkError) && state.hints.at(-1) === hint) {
      state.hints.pop();
      renderHints();
    }
  });
}

function placeByClick(event) {
  if (!state.photo) return;
  // The photo as shown (scaled by CSS to the window, on a screen of any pixel density).
  const rect = $("original").getBoundingClientRect();
  const x = (event.clientX - rect.left) / rect.width * state.photo.width;
  const y = (event.clientY - rect.top) / rect.height * state.photo.height;
  if (x < 0 || y < 0 || x >= state.photo.width || y >= state.photo.height) return;
  moveCursor(Math.floor(x), Math.floor(y));
  placeHint(cursor.x, cursor.y);
}

// The photo focused: the arrow keys move the cross (a step of 1% of the photo's long side,
// Shift: 10%), Enter or Space places a hint under it. A hint's dot moves by the same steps
// (move.js).
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

// An arrow key's step in image pixels, [dx, dy]; null for any other key.
function arrowStep(event) {
  if (!ARROWS[event.key]) return null;
  const step = Math.max(1, Math.round(Math.max(state.photo.width, state.photo.height) / 100))
               * (event.shiftKey ? 10 : 1);
  return ARROWS[event.key].map((d) => d * step);
}

function stageKey(event) {
  if (!state.photo || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target !== event.currentTarget) return;  // a hint's dot: its keys are move.js's
  const step = arrowStep(event);
  if (step) {
    moveCursor(cursor.x + step[0], cursor.y + step[1]);
  } else if (event.key === "Enter" || event.key === " ") {
    placeHint(cursor.x, cursor.y);
  } else {
    return;
  }
  event.preventDefault();  // no scrolling: the keys are the cross's
}

// Moves the cross to (x, y), kept on the photo, and shows it in the X, Y fields (not while
// the person types in them: what they typed stays as typed).
function moveCursor(x, y, typed = false) {
  if (!state.photo) return;
  cursor.x = Math.min(Math.max(Math.round(x), 0), state.photo.width - 1);
  cursor.y = Math.min(Math.max(Math.round(y), 0), state.photo.height - 1);
  if (!typed) {
    $("hint-x").value = String(cursor.x);
    $("hint-y").value = String(cursor.y);
  }
  const cross = $("hint-cursor");
  cross.style.left = `${(cursor.x + 0.5) / state.photo.width * 100}%`;
  cross.style.top = `${(cursor.y + 0.5) / state.photo.height * 100}%`;
}

// A photo was opened: the cross in its middle, the fields bounded by its size.
function hintsOpened(photo) {
  $("hint-x").max = String(photo.width - 1);
  $("hint-y").max = String(photo.height - 1);
  $("stage").tabIndex = 0;
  $("place-hint").disabled = false;
  moveCursor(photo.width / 2, photo.height / 2);
}

function placeTyped(event) {
  event.preventDefault();
  if (!state.photo) return;
  const x = Number($("hint-x").value), y = Number($("hint-y").value);
  if ($("hint-x").value === "" || $("hint-y").value === "" ||
      !Number.isInteger(x) || !Number.isInteger(y)) {
    showError("type the hint's X and Y in whole pixels");
    return;
  }
  placeHint(x, y);
}

// -- listing and removing ---------------------------------------------------------------------

function renderHints() {
  const list = $("hint-list");
  list.replaceChildren();
  const markers = $("markers");
  // A dot with the keyboard's focus keeps it through the redrawing (a move by the arrow keys
  // redraws twice: committed, then colorized).
  const focused = document.activeElement;
  const focusedDot = focused && focused.classList.contains("marker") ? focused.dataset.hint : null;
  markers.replaceChildren();
  const records = state.view ? state.view.regions.filter((r) => r.kind === "hint") : [];
  state.hints.forEach((hint, k) => {
    const li = document.createElement("li");
    // Not yet run with this hint (its run is under way, or got no answer): no record yet.
    const record = state.viewHints[k] === hint ? records[k] : undefined;
    // Numbered and colored as the region map draws the hint's region: the color the server
    // read (a reference hint: its region's), else, not run yet, the hint's own.
    li.append(swatch(record ? record.color : cssColor(hint.color), k + 1), hintText(hint));
    if (hint.source) li.append(` — ${hint.source}`);
    if (record) li.append(` (holds ${pct(record.confidence)}, covers ${pct(record.share)})`);
    const remove = el("button", "", "remove");
    remove.type = "button";
    remove.setAttribute("aria-label", `remove hint ${k + 1}: ${hintText(hint)}`);
    remove.addEventListener("click", () => removeHint(k));
    li.append(" ", remove);
    list.append(li);
    if (state.photo && hint.point) {
      const dot = el("span", "marker");
      dot.dataset.hint = String(k);  // move.js: dragged, or its arrow keys, move this hint
      dot.title = `hint ${k + 1}: drag it, or use the arrow keys and Enter, to move it`;
      // Tab reaches it; a screen reader says which hint, where, and which keys move it.
      dot.tabIndex = 0;
      dot.setAttribute("role", "button");
      dot.setAttribute("aria-describedby", "dot-keys");
      placeDot(dot, k, hint.point);
      dot.style.backgroundColor = cssColor(hint.color);  // clipped to the dot by style.css
      markers.append(dot);
    }
  });
  if (focusedDot !== null) {
    (markers.querySelector(`[data-hint="${focusedDot}"]`) || $("stage")).focus();
  }
}

// Hint k's dot drawn at `point` (image pixels), named with it: where the hint is, or, while
// the dot is moved and not yet let go, where it would go.
function placeDot(dot, k, point) {
  const hint = state.hints[k];
  dot.style.left = `${(point[0] + 0.5) / state.photo.width * 100}%`;
  dot.style.top = `${(point[1] + 0.5) / state.photo.height * 100}%`;
  const moving = point[0] !== hint.point[0] || point[1] !== hint.point[1];
  dot.setAttribute("aria-label", `hint ${k + 1}: ${hintText(hint)}` +
                   (moving ? `, to be moved to ${point[0]}, ${point[1]}` : ""));
}

async function removeHint(k) {
  if (document.body.dataset.state === "busy") return;  // a double tap removes one hint
  state.hints.splice(k, 1);
  renderHints();
  await busy("removing the hint", async () => {
    await colorize();
    return `Hint ${k + 1} removed.`;
  });
  // The pressed button went with its row: focus to the row now in its place (or the last
  // one), else to the hint tools, not back to the top of the page.
  if (document.activeElement && document.activeElement !== document.body) return;
  const buttons = $("hint-list").querySelectorAll("button");
  (buttons[Math.min(k, buttons.length - 1)] || $("hint-color-text")).focus();
}

// What a hint says and where, in words: "#b22222 at 10, 20", "navy in the box 30,0–48,12".
function hintText(hint) {
  const what = hint.color !== undefined ? String(hint.color)
    : hint.exemplar !== undefined ? `exemplar ${hint.exemplar}`
    : `reference ${hint.name || "photo"}`;
  if (hint.point) return `${what} at ${hint.point[0]}, ${hint.point[1]}`;
  if (hint.box) return `${what} in the box ${hint.box.slice(0, 2)}–${hint.box.slice(2)}`;
  if (hint.polygon) return `${what} in a polygon of ${hint.polygon.length} points`;
  return `${what} in a mask`;
}

// A hint's color for CSS: a name or #hex as it is, [r, g, b] as rgb(); none: transparent.
function cssColor(color) {
  if (color === undefined) return "transparent";
  return Array.isArray(color) ? `rgb(${color.join(", ")})` : color;
}

// -- wiring -----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("stage").addEventListener("click", placeByClick);
  $("stage").addEventListener("keydown", stageKey);
  $("hint-place").addEventListener("submit", placeTyped);
  for (const id of ["hint-x", "hint-y"]) {
    $(id).addEventListener("input", () => {
      const x = Number($("hint-x").value), y = Number($("hint-y").value);
      if (state.photo && Number.isFinite(x) && Number.isFinite(y)) moveCursor(x, y, true);
    });
  }
  // The picker and the typed color say the same: the picker's choice in hex, a typed hex on
  // the picker (a typed name or rgb() stays typed: the server reads CSS names).
  $("hint-color").addEventListener("input", () => {
    $("hint-color-text").value = $("hint-color").value;
  });
  $("hint-color-text").addEventListener("input", () => {
    const typed = $("hint-color-text").value.trim();
    if (/^#[0-9a-f]{6}$/i.test(typed)) $("hint-color").value = typed.toLowerCase();
  });
  $("clear-hints").addEventListener("click", () => {
    if (!state.photo || !state.hints.length || document.body.dataset.state === "busy") return;
    state.hints = [];
    renderHints();
    busy("clearing the hints", async () => {
      await colorize();
      return "Hints cleared.";
    });
  });
});
