// The album-page switch: "Album page: colorize each print on its own" (album_page.py). Ticked
// where the server splits album pages (api/info's split_page; `chronochrome web
// --no-split-page` leaves it clear), sent with every run (app.js's colorize), and after a run
// the page says into how many prints the photo was split; a service job's item opens with its
// own choice. Uses app.js's helpers ($, state), switches.js's recolorizeForSwitch and net.js's
// pageInfo.
"use strict";

// What app.js's colorize sends: the box as it stands (its default is the server's).
function albumChoice() {
  return { split_page: $("edit-split-page").checked };
}

// A job's item opened (open.js): the box as the job colorized it, where the item made its own
// choice ("split_page": true|false), so that its first run here gives the job's colors. An
// item that followed its server, an upload or a path: the box is left as the person set it.
function albumOpened(photo) {
  if (typeof photo.split_page === "boolean") $("edit-split-page").checked = photo.split_page;
}

// After a run: how many prints the photo was split into; nothing for a photo colorized
// whole (the note of the last photo would otherwise stay under another one's colors).
function showAlbumNote() {
  const prints = (state.view && state.view.album_prints) || 0;
  $("album-note").hidden = !prints;
  $("album-note").textContent = prints ?
    `This photo was split into ${prints} prints, each colorized on its own.` : "";
}

// Changed with a photo open: it re-colorizes at once. Without one it is the choice for the
// next photo opened (it is sent with that photo's first run): an archive's album pages, or
// a wall of framed pictures that must stay one photo, are known before they are opened.
function albumChanged() {
  if (!state.photo) return;
  recolorizeForSwitch($("edit-split-page"), {
    on: ["re-colorizing each print on its own", "Re-colorized each print on its own."],
    off: ["re-colorizing the photo whole", "Re-colorized as one photo."],
  });
}

async function wireAlbum() {
  const box = $("edit-split-page");
  box.addEventListener("change", albumChanged);
  document.addEventListener("colorized", showAlbumNote);
  const info = await pageInfo();  // net.js: {} where it did not answer (then: split)
  if (!state.photo) box.checked = info.split_page !== false;
}

document.addEventListener("DOMContentLoaded", wireAlbum);
