// The watch page's opinions part: the form (category, place), this session's opinions with
// "me too", live updates, and the host's "you said, we did" card.
import { errorText } from "./api.js";
import { api, el, fillPlaces, fillSelect, loadCategories } from "./opinions-common.js";
import { MAX_PHOTOS, mediaNodes, voiceRecorder } from "./opinion-media.js";

const SUPPORTED_KEY = "rt-supported";

function supportedSet() {
  try { return new Set(JSON.parse(localStorage.getItem(SUPPORTED_KEY) || "[]")); } catch { return new Set(); }
}

export function init(root, config, socket) {
  const part = root.querySelector('[data-role="opinions"]');
  if (!part) return;
  const strings = JSON.parse(part.dataset.strings || "{}");
  const form = part.querySelector('[data-role="opinion-form"]');
  const input = part.querySelector('[data-testid="opinion-input"]');
  const category = part.querySelector('[data-role="opinion-category"]');
  const place = part.querySelector('[data-role="opinion-location"]');
  const status = part.querySelector('[data-role="opinion-status"]');
  const list = part.querySelector('[data-role="opinion-list"]');
  const showcase = part.querySelector('[data-role="showcase"]');
  const supported = supportedSet();
  const voice = voiceRecorder(part.querySelector('[data-role="voice"]'), strings);
  const photos = part.querySelector('[data-role="opinion-photos"]');
  let names = new Map();
  const say = (text, kind = "ok") => { status.textContent = text || ""; status.dataset.kind = kind; };
  const refused = (body) => errorText(body, strings);

  // "43 人附议 · 其中 18 户已核实": people, and the verified households among them.
  const plural = (n, one, other) => (n === 1 ? strings[one] : strings[other]).replace("{n}", String(n));
  const numbers = (o) => plural(o.supporters, "people_one", "people_other") + " · "
    + plural(o.verified_households || 0, "households_one", "households_other");
  const render = (o) => {
    const done = supported.has(o.id);
    const count = el("strong", { "data-role": "supporters", hidden: "hidden", text: String(o.supporters) });
    const shown = el("span", { "data-role": "two-numbers", "data-testid": "opinion-numbers", text: numbers(o) });
    const button = el(
      "button",
      { type: "button", class: "me-too", "data-testid": "support", "aria-pressed": done ? "true" : "false" },
      done ? strings.supported : strings.me_too,
    );
    button.disabled = done;
    button.addEventListener("click", () => support(o.id, button));
    const meta = [names.get(o.category) || "", o.location || ""].filter(Boolean).join(" · ");
    const note = o.status === "merged" ? mergedNote() : null;
    return el(
      "li",
      { class: "opinion-card", "data-opinion-id": o.id },
      el("p", { text: o.text }),
      ...mediaNodes(o, strings),
      el("span", { class: "meta" }, count, shown, meta ? " · " + meta : ""),
      note,
      o.status === "merged" ? null : button,  // support goes to the opinion it was merged into
    );
  };
  // the residents' ratings of a resolved item, e.g. "居民评价：满意 3 · 基本满意 1 · 不满意 0"
  const ratingLine = (ratings) => {
    if (!ratings) return null;
    const keys = ["satisfied", "basically_satisfied", "unsatisfied"];
    if (!keys.some((k) => ratings[k])) return null;
    const parts = keys.map((k) => `${strings[k]} ${ratings[k] || 0}`).join(" · ");
    return el("p", { class: "meta", "data-testid": "showcase-ratings", text: `${strings.ratings}: ${parts}` });
  };
  const mergedNote = () => el("span", { class: "meta", "data-role": "merged", "data-testid": "opinion-merged", text: strings.merged });
  const upsert = (o) => {
    const existing = list.querySelector(`[data-opinion-id="${CSS.escape(o.id)}"]`);
    const node = render(o);
    if (existing) existing.replaceWith(node);
    else list.prepend(node);
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
  };
  const update = (u) => {
    const node = list.querySelector(`[data-opinion-id="${CSS.escape(u.id)}"]`);
    if (!node) return;
    const count = node.querySelector('[data-role="supporters"]');
    if (count) count.textContent = String(u.supporters);
    const shown = node.querySelector('[data-role="two-numbers"]');
    if (shown && u.verified_households !== undefined) shown.textContent = numbers(u);
    if (u.status === "merged") {  // merged while on screen: support goes to the opinion it joined
      const button = node.querySelector('[data-testid="support"]');
      if (button) button.remove();
      if (!node.querySelector('[data-role="merged"]')) node.append(mergedNote());
    }
  };

  async function support(id, button) {
    button.disabled = true;
    const answer = await api("POST", `/api/opinions/${id}/support`);
    if (!answer.ok) { button.disabled = false; say(refused(answer.body), "error"); return; }
    supported.add(id);
    localStorage.setItem(SUPPORTED_KEY, JSON.stringify([...supported].slice(-500)));
    button.textContent = strings.supported;
    button.setAttribute("aria-pressed", "true");
    const counts = { supporters: answer.body.supporters, verified_households: answer.body.verified_households };
    update({ id, ...counts });
    if (answer.body.opinion && answer.body.opinion !== id) update({ id: answer.body.opinion, ...counts });
  }

  async function load() {
    const answer = await api("GET", `/api/opinions?session=${encodeURIComponent(config.session)}&limit=100`);
    if (!answer.ok) return;
    list.replaceChildren();
    if (!answer.body.length) list.append(el("li", { class: "empty muted", text: strings.none }));
    for (const o of answer.body.slice().reverse()) upsert(o);
  }

  const showItem = (payload) => {
    const item = payload.item;
    showcase.replaceChildren(
      el("p", { class: "showcase-kicker", text: strings.you_said_we_did }),
      el("h3", { text: item.title }),
      item.outcome ? el("p", { class: "outcome", text: item.outcome }) : null,
      el("p", { class: "meta", text: item.responsible ? `${strings.responsible}: ${item.responsible}` : "" }),
      ratingLine(item.ratings),
      el("a", { href: `/agenda/${item.id}`, text: strings.open_item }),
    );
    showcase.hidden = false;
  };

  // the page's one socket (opened and joined by the chat part)
  part.dataset.live = socket.connected ? "joined" : "offline";
  root.addEventListener("rt:joined", (event) => {
    part.dataset.live = event.detail && event.detail.ok ? "joined" : "offline";
  });
  socket.on("disconnect", () => { part.dataset.live = "offline"; });
  socket.on("session_opinion", (o) => { if (o.session === config.session) upsert(o); });
  socket.on("opinion_update", (u) => { if (u.session === config.session) update(u); });
  socket.on("showcase", (p) => { if (p.session === config.session) showItem(p); });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const recorded = voice.get();
    const files = photos ? [...photos.files] : [];
    if (!text && !recorded) { say(strings.empty, "error"); input.focus(); return; }
    if (text.length > 2000) { say(strings.too_long, "error"); return; }
    if (files.length > MAX_PHOTOS) { say(strings.too_many_photos, "error"); return; }
    const submit = form.querySelector('[type="submit"]');
    submit.disabled = true;
    const body = { community: config.community, session: config.session, text };
    if (category.value) body.category = category.value;
    if (place.value.trim()) body.location = place.value.trim();
    let payload = body;
    if (recorded || files.length) {
      payload = new FormData();
      for (const [key, value] of Object.entries(body)) payload.append(key, value);
      if (recorded) payload.append("voice", recorded, recorded.type.includes("mp4") ? "voice.m4a" : "voice.webm");
      for (const file of files) payload.append("photo", file, file.name);
    }
    const answer = await api("POST", "/api/opinions", payload);
    submit.disabled = false;
    if (!answer.ok) { say(refused(answer.body), "error"); return; }
    supported.add(answer.body.id);
    localStorage.setItem(SUPPORTED_KEY, JSON.stringify([...supported].slice(-500)));
    upsert(answer.body);
    input.value = "";
    voice.reset();
    if (photos) photos.value = "";
    say(strings.sent);
  });

  loadCategories().then((loaded) => { names = loaded; fillSelect(category, names); load(); });
  fillPlaces(part.querySelector('[data-role="places"]'), config.community);
}
