// The one chat message renderer (watch page, pinned message, moderation console): author and
// text as text nodes, never HTML.

// A socket payload that may be one item or a list of them (CONTRACT.md allows both).
export function asList(payload) {
  return Array.isArray(payload) ? payload : [payload];
}

const WATCH = { item: "chat-message", author: "chat-author", text: "chat-text", badge: true };

// ``look`` picks the class names ({item, author, text}) and whether staff get a badge.
export function renderMessage(message, strings, look = WATCH) {
  const li = document.createElement("li");
  li.className = look.item;
  li.dataset.messageId = message.id;
  const who = document.createElement("span");
  who.className = look.author;
  who.textContent = message.author.name;
  if (look.badge && message.author.role && !["guest", "resident"].includes(message.author.role)) {
    const badge = document.createElement("span");
    badge.className = "chat-staff";
    badge.textContent = strings.staff;
    who.append(" ", badge);
  }
  const text = document.createElement("span");
  text.className = look.text;
  text.textContent = message.text;
  li.append(who, text);
  return li;
}
