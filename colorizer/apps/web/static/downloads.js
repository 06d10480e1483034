// The Download link's two words more. Where the workbench signs its downloads (`chronochrome
// web --c2pa-cert/--c2pa-key`), a note beside the link names the signer and how to verify a
// file; and a download the workbench refuses (its C2PA signature failed, the disk is full, the
// photo was closed) is said in the error box. Before, the page said neither: a signed file
// looked like any other, and a refused one was only a canceled "download.json" in the
// browser's download list. Uses app.js's helpers ($, state, showError), net.js's pageInfo and
// guidance.js's FORMAT_NAMES.
"use strict";

// `signed`: api/info's signed_downloads, {signer}; absent where the downloads are not signed.
// The note is also the link's description: a screen reader says it with the link.
function showSigning(signed) {
  const link = $("download-colorized");
  $("signing-note").hidden = !signed;
  if (!signed) {
    link.removeAttribute("aria-describedby");
    return;
  }
  $("signing-signer").textContent = `Downloads are C2PA-signed by ${signed.signer}.`;
  link.setAttribute("aria-describedby", "signing-note");
}

// The download asked for in a hidden frame of its own: a file arrives as a download, as the
// link's did (the frame never loads), while a refusal (JSON) loads in the frame, where the
// page can read it and say it of `photoName` (the photo's when it was asked for). A frame
// for each download: one started while another is still being encoded does not cancel it.
// A file's frame goes once the file's answer has said it came (watchArrival): before, the
// frames of files that arrived stayed, one for each download until the page was reloaded.
function fetchDownload(href, photoName) {
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute("aria-hidden", "true");
  const token = downloadToken();
  const asked = new URL(href, document.baseURI);
  asked.searchParams.set("token", token);
  const arrival = watchArrival(token, () => frame.remove());
  frame.addEventListener("load", () => {
    arrival.stop();
    const said = refusal(frame);
    frame.remove();
    const what = `The ${FORMAT_NAMES[formatOf(href)] || ""} download of ${photoName}`;
    if (said !== null) {
      showError(`${what} failed: ${said}`);
    } else {  // no answer: the same download may arrive once the connection is back
      showError(`${what} did not arrive: the connection was lost or the workbench stopped. ` +
                "Check the connection, then press Retry.", () => fetchDownload(href, photoName));
    }
  });
  frame.src = asked.href;
  document.body.append(frame);
}

// 128 random bits in hex: crypto.randomUUID is only there on https or localhost, and a
// workbench may be reached over plain http from another machine.
function downloadToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The page cannot see a download start, so the file's answer, and only a file's, sets a
// cookie named for the download's token (download_arrival.py); `arrived` runs once it is
// seen. The answer's headers go out once the file is whole, and Chromium hands such an
// answer to its downloads an instant after storing its cookie: a frame removed in between
// takes its download with it (polled every 4 ms and removed at once, 4 of 120 downloads
// never came; the frame kept a second more, 0 of 120). Once handed over, the download no
// longer needs its frame (a 3 MB file at 300 kB/s came whole, its frame gone after 1.3 s of
// 11). A file still being encoded sent nothing yet, so its frame stays; a refusal sets no
// cookie, and its frame loads.
const ARRIVAL_POLL_MS = 250;
const ARRIVAL_GRACE_MS = 1000;

function watchArrival(token, arrived) {
  const name = `chronochrome-download-${token}`;
  let grace = null;
  const poll = setInterval(() => {
    if (!document.cookie.split("; ").includes(`${name}=arrived`)) return;
    clearInterval(poll);
    document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict`;  // read: not kept
    grace = setTimeout(arrived, ARRIVAL_GRACE_MS);
  }, ARRIVAL_POLL_MS);
  return { stop: () => { clearInterval(poll); clearTimeout(grace); } };
}

function formatOf(href) {
  return new URL(href, document.baseURI).searchParams.get("format") || "png";
}

// The refusal in the workbench's words ("C2PA signing failed: ...; the download was not sent
// unsigned"); null where no answer came (the frame holds the browser's own error page, which
// the page may not read).
function refusal(frame) {
  let doc = null;
  try {
    doc = frame.contentDocument;
  } catch (err) {
    doc = null;
  }
  if (!doc || !doc.body) return null;
  const text = (doc.querySelector("pre") || doc.body).textContent.trim();
  try {
    const data = JSON.parse(text);
    if (data && data.error && data.error.message) return data.error.message;
  } catch (err) {
    // not the workbench's JSON: a proxy's page, said as it is
  }
  return `the workbench sent no file (${text.slice(0, 200) || "an empty answer"})`;
}

document.addEventListener("DOMContentLoaded", () => {
  pageInfo().then((info) => showSigning(info.signed_downloads));
  $("download-colorized").addEventListener("click", (e) => {
    // Nothing colorized yet (app.js stops the link), or a new tab or window asked for: the
    // browser's own way.
    if (!state.view || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    fetchDownload($("download-colorized").href, state.photo.name);
  });
});
