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
// The frames of files that arrived stay, empty.
function fetchDownload(href, photoName) {
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute("aria-hidden", "true");
  frame.addEventListener("load", () => {
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
  frame.src = href;
  document.body.append(frame);
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
