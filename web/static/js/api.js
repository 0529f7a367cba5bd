// The one place page scripts call fetch. Every request is same-origin, carries the CSRF token
// and never throws: a network failure answers {ok: false, status: 0}.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// request(method, path, {json, body, type, headers, keepalive, cache}) resolves to
// {ok, status, headers, text, body}: ``body`` is the parsed JSON answer (null when it is not
// JSON), ``text`` the raw answer (an SDP answer, for instance).
export async function request(method, path, options = {}) {
  const headers = { "X-CSRF-Token": csrfToken(), ...(options.headers || {}) };
  const init = { method, headers, credentials: "same-origin", cache: options.cache || "no-store" };
  if (options.json instanceof FormData) {
    init.body = options.json; // multipart/form-data: the browser sets the boundary
  } else if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    if (options.type) headers["Content-Type"] = options.type;
    init.body = options.body;
  }
  if (options.keepalive) init.keepalive = true;
  try {
    const response = await fetch(path, init);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    return { ok: response.ok, status: response.status, headers: response.headers, text, body };
  } catch (err) {
    return { ok: false, status: 0, headers: new Headers(), text: "", body: null };
  }
}

let errorTexts = null;

// What to tell the reader about a refusal (an HTTP answer's body or a socket ack): the page's own
// sentence for its code (``strings["error_" + code]``) when it has one, else the site's sentence
// for the code in the reader's language (live/http/error_texts.py), never the server's English
// ``detail``. ``status`` 0 (no answer at all) reads as a lost connection.
export function errorText(refusal, strings = {}, status = undefined) {
  if (errorTexts === null) {
    try { errorTexts = JSON.parse(document.body.dataset.errors || "{}"); } catch { errorTexts = {}; }
  }
  const code = refusal && refusal.error;
  if (code && strings["error_" + code]) return strings["error_" + code];
  if (code && errorTexts[code]) return errorTexts[code];
  if (status === 0 || refusal === null) return errorTexts.network || strings.failed || "";
  return strings.failed || errorTexts.failed || "";
}

// JSON (or a FormData, sent as multipart/form-data) in, JSON out: resolves to {ok, status, body}.
export async function api(method, path, json) {
  const answer = await request(method, path, json === undefined ? {} : { json });
  return { ok: answer.ok, status: answer.status, body: answer.body };
}
