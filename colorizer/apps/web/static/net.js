// Talking to the workbench's JSON API (colorizer/apps/web/app.py), on any connection: a phone
// on 3G, a laptop whose Wi-Fi drops. A request that gets no answer fails with a NetworkError,
// which the page offers to retry (app.js's busy) without losing the color hints placed; an
// upload reports how far it got, since a phone's photo takes a minute to send on 3G.
"use strict";

// No answer at all (offline, the connection dropped mid-request, the workbench stopped), as
// opposed to an answer that refuses: retrying the same request may work.
class NetworkError extends Error {
  constructor() {
    super("the workbench did not answer: the connection was lost or the workbench stopped. " +
          "Check the connection, then press Retry; your color hints are kept.");
    this.name = "NetworkError";
  }
}

// The error the server's JSON names, else the HTTP status.
function answerError(status, data) {
  return new Error(data && data.error ? data.error.message : `HTTP ${status}`);
}

// fetch(), failing with a NetworkError where it rejects: only when no answer came (its own
// message, "Failed to fetch", says neither what happened nor what to do).
async function send(path, options = {}) {
  try {
    return await fetch(path, options);
  } catch (err) {
    throw new NetworkError();
  }
}

async function api(path, options = {}) {
  const response = await send(path, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) throw answerError(response.status, data);
  return data;
}

// api/info, asked once and shared (app.js: what the page may open; downloads.js: whether the
// downloads are signed); {} where no answer came, so the page works without it.
let pageInfoAnswer = null;

function pageInfo() {
  if (!pageInfoAnswer) pageInfoAnswer = api("api/info").catch(() => ({}));
  return pageInfoAnswer;
}

function postJSON(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" },
                     body: JSON.stringify(body) });
}

// POSTs a form (an upload); `progress(fraction)` is called as its bytes go out (fetch cannot
// say: XMLHttpRequest can), then the server's JSON answer, as api() answers it.
function upload(path, form, progress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", path);
    request.responseType = "json";
    request.upload.onprogress = (e) => { if (e.lengthComputable) progress(e.loaded / e.total); };
    request.onerror = () => reject(new NetworkError());
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request.response);
      else reject(answerError(request.status, request.response));
    };
    request.send(form);
  });
}
