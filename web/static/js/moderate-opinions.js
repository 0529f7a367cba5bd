// Opinion triage (moderation console and /triage): accept, reject, similar suggestions, merge,
// bulk actions, agenda items from the selected, staff entry of offline opinions.
import { io } from "/static/vendor/socket.io.esm.min.js";
import { errorText } from "./api.js";
import { api, el, fillPlaces, fillSelect, loadCategories } from "./opinions-common.js";
import { mediaNodes } from "./opinion-media.js";

// ``socket``: the page's socket when the page has one (the moderation console); a /triage page
// of a session opens its own.
export function start(root, socket = null) {
  const strings = JSON.parse(root.dataset.strings || "{}");
  const community = root.dataset.community;
  const session = root.dataset.session || "";
  const list = root.querySelector('[data-role="list"]');
  const filter = root.querySelector('[data-role="status-filter"]');
  const sessionOnly = root.querySelector('[data-role="session-only"]');
  const search = root.querySelector('[data-role="search"]');
  const moreButton = root.querySelector('[data-role="more"]');
  const PAGE = 30;
  let shown = 0; // cards on the list: a refresh reloads as many, "show more" adds a page
  let oldest = null;
  const bulk = root.querySelector('[data-role="bulk"]');
  const count = root.querySelector('[data-role="count"]');
  const status = root.querySelector('[data-role="status"]');
  const titleInput = root.querySelector('[data-role="agenda-title"]');
  const entry = root.querySelector('[data-role="entry"]');
  const selected = new Map();
  let names = new Map();
  const plural = (n, key) => (n === 1 ? strings[key + "_one"] : strings[key + "_other"]).replace("{n}", String(n));
  const say = (text, link) => {
    status.replaceChildren(text || "");
    if (link) status.append(" ", el("a", { href: link, text: strings.open_item, "data-testid": "agenda-link" }));
  };
  const sync = () => {
    count.textContent = String(selected.size);
    if (!titleInput.value && selected.size) titleInput.value = [...selected.values()][0].text.slice(0, 60);
  };

  const meta = (o) =>
    [
      `${plural(o.supporters, "supporters")} · ${plural(o.verified_households || 0, "households")}`,
      names.get(o.category) || o.category,
      o.location,
      strings["source_" + o.source] || o.source,
      strings["status_" + o.status] || o.status,
    ].filter(Boolean).join(" · ");

  const card = (o) => {
    const box = el("input", { type: "checkbox", "data-testid": "triage-select", "aria-label": o.text.slice(0, 40) });
    box.checked = selected.has(o.id);
    box.addEventListener("change", () => {
      if (box.checked) selected.set(o.id, o); else selected.delete(o.id);
      sync();
    });
    const similar = el("ul", { class: "similar", "data-role": "similar", "data-testid": "triage-similar" });
    const buttons = el("div", { class: "row-buttons" });
    if (o.status === "new") {
      buttons.append(button(strings.accept, "triage-accept", () => act(`/api/opinions/${o.id}/accept`, {})));
      buttons.append(button(strings.reject, "triage-reject", () => act(`/api/opinions/${o.id}/reject`, { reason: root.querySelector('[data-role="reason"]').value })));
    }
    if (o.status === "new" || o.status === "accepted") {
      buttons.append(button(strings.similar, "triage-find-similar", () => showSimilar(o, similar)));
    }
    return el(
      "li",
      { class: "triage-item opinion-card", "data-opinion-id": o.id, "data-testid": "triage-item" },
      el("label", { class: "check" }, box, el("span", { class: "text", text: o.text })),
      ...mediaNodes(o, strings),
      o.voice ? transcriber(o) : null,
      el("span", { class: "meta", text: meta(o) }),
      o.author && o.author.name ? el("span", { class: "meta", text: o.author.name + (o.contact ? " · " + o.contact : "") }) : null,
      buttons,
      similar,
    );
  };
  // A voice opinion: the moderator listens and types what was said (the voice stays attached).
  const transcriber = (o) => {
    const area = el("textarea", { rows: 2, "data-testid": "triage-transcript", "aria-label": strings.transcribe });
    area.value = o.text;
    const save = button(strings.transcribe_save, "triage-transcript-save", async () => {
      const answer = await api("PATCH", `/api/opinions/${o.id}`, { text: area.value });
      if (!answer.ok) { say(strings.failed); return; }
      o.text = answer.body.text;
      say(strings.transcribed);
    });
    return el("div", { class: "transcribe stack" }, el("label", {}, strings.transcribe, area), save);
  };
  const button = (label, testid, onClick) => {
    const b = el("button", { type: "button", "data-testid": testid, text: label });
    b.addEventListener("click", async () => { b.disabled = true; await onClick(); b.disabled = false; });
    return b;
  };

  async function showSimilar(o, target) {
    const answer = await api("GET", `/api/opinions/${o.id}/similar`);
    if (!answer.ok) { say(strings.failed); return; }
    target.replaceChildren();
    if (!answer.body.length) target.append(el("li", { class: "muted", text: strings.no_similar }));
    for (const s of answer.body) {
      const merge = button(strings.merge_into, "triage-merge", async () => {
        const question = strings.merge_confirm.replace("{from}", o.text).replace("{into}", s.opinion.text);
        if (!window.confirm(question)) return;
        const done = await api("POST", `/api/opinions/${o.id}/merge`, { into: s.opinion.id });
        if (!done.ok) { say(errorText(done.body, strings, done.status)); return; }
        selected.delete(o.id);
        say(strings.merged_into.replace("{people}", plural(done.body.supporters, "supporters")).replace("{into}", done.body.text));
        await load();
      });
      target.append(
        el("li", { "data-similar-id": s.opinion.id },
          el("span", { class: "score", text: `${Math.round(s.score * 100)}% ${strings.score}` }), " ",
          el("span", { text: s.opinion.text }), " ",
          el("span", { class: "meta", text: plural(s.opinion.supporters, "supporters") }), " ",
          merge),
      );
    }
  }

  async function act(path, body) {
    const answer = await api("POST", path, body);
    if (!answer.ok) { say(errorText(answer.body, strings, answer.status)); return false; }
    say(strings.saved);
    await load();
    return true;
  }

  // the newest page (or as many as are shown, on a refresh); ``more``: the page after the oldest shown
  async function load(more = false) {
    const limit = more ? PAGE : Math.max(PAGE, shown);
    const params = new URLSearchParams({ community, status: filter.value, limit: String(limit) });
    if (session && sessionOnly && sessionOnly.checked) params.set("session", session);
    if (search && search.value.trim()) params.set("q", search.value.trim());
    if (more && oldest) params.set("after", oldest);
    const answer = await api("GET", "/api/opinions?" + params);
    if (!answer.ok) return;
    if (!more) { list.replaceChildren(); shown = 0; }
    if (!more && !answer.body.length) list.append(el("li", { class: "muted", text: strings.empty }));
    for (const o of answer.body) list.append(card(o));
    shown += answer.body.length;
    if (answer.body.length) oldest = answer.body[answer.body.length - 1].id;
    if (moreButton) moreButton.hidden = answer.body.length < limit;
  }
  const fresh = () => { shown = 0; oldest = null; return load(); };

  bulk.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (!action) return;
    const ids = [...selected.keys()];
    if (!ids.length) return;
    if (action === "agenda") {
      const title = titleInput.value.trim();
      if (!title) { titleInput.focus(); return; }
      const answer = await api("POST", "/api/agenda", { community, title, opinions: ids });
      if (!answer.ok) { say(errorText(answer.body, strings, answer.status)); return; }
      selected.clear(); titleInput.value = ""; sync();
      say(strings.created, `/agenda/${answer.body.id}`);
      await load();
      return;
    }
    const body = { ids, action };
    if (action === "reject") body.reason = root.querySelector('[data-role="reason"]').value;
    if (await act("/api/opinions/bulk", body)) { selected.clear(); sync(); }
  });

  entry.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(entry));
    const body = { community, text: data.text, source: data.source };
    for (const key of ["category", "location", "contact"]) if (data[key]) body[key] = data[key];
    if (await act("/api/opinions", body)) entry.reset();
  });

  filter.addEventListener("change", fresh);
  if (sessionOnly) sessionOnly.addEventListener("change", fresh);
  if (moreButton) moreButton.addEventListener("click", () => load(true));
  let typing = null;
  if (search) search.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(fresh, 400); });
  loadCategories().then((loaded) => {
    names = loaded;
    fillSelect(entry.querySelector('[data-role="categories"]'), names, false);
    load();
  });
  fillPlaces(root.querySelector('[data-role="places"]'), community);

  if (session) {
    // New opinions reach moderators live through the staff room of the session's community.
    if (!socket) {
      socket = io({ transports: ["websocket", "polling"] });
      socket.on("reload", () => location.reload());
      socket.on("connect", () => socket.emit("join", { session }));
    }
    const showcase = root.querySelector('[data-role="showcase-form"]');
    const items = root.querySelector('[data-role="showcase-item"]');
    const shown = root.querySelector('[data-role="showcase-status"]');
    // Only resolved items have an outcome to show ("you said, we did").
    api("GET", `/api/agenda?community=${encodeURIComponent(community)}&status=resolved&limit=200`).then((answer) => {
      if (!answer.ok) return;
      items.replaceChildren(...answer.body.map((i) => el("option", { value: i.id, text: i.title })));
      if (!answer.body.length) shown.textContent = strings.nothing_resolved;
    });
    showcase.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!items.value) return;
      const ack = await socket.timeout(10000).emitWithAck("showcase", { session, item: items.value }).catch(() => null);
      shown.textContent = ack && ack.ok ? strings.shown : strings.failed;
    });
    socket.on("opinion", (o) => {
      if (filter.value !== "new") return;
      if (list.querySelector(`[data-opinion-id="${CSS.escape(o.id)}"]`)) return;
      list.querySelector(".muted")?.remove();
      list.prepend(card(o));
    });
  } else {
    setInterval(() => { if (!document.hidden && !selected.size) load(); }, 20000);
  }
}

// The moderation console starts its triage itself, with its socket.
for (const root of document.querySelectorAll('[data-role="triage"]')) {
  if (!root.closest("#moderate")) start(root);
}
