// The household picker (partials/household_picker.html): the rooms already on record for the
// chosen unit are offered as the room is typed, each saying whether it has a verified member (a
// household without one may be entered for, but is not eligible to vote).
import { api } from "./api.js";

export function enhancePickers(root = document) {
  root.querySelectorAll('[data-role="household-picker"]').forEach((picker) => {
    const unit = picker.querySelector('select[name="unit"]');
    const list = picker.querySelector("datalist");
    if (!unit || !list) return;
    const strings = JSON.parse(picker.dataset.strings || "{}");
    const cache = new Map();
    const fill = async () => {
      const id = unit.value;
      if (!id) return;
      if (!cache.has(id)) {
        const answer = await api("GET", `/api/units/${encodeURIComponent(id)}/households`);
        cache.set(id, answer.ok ? answer.body : []);
      }
      if (unit.value !== id) return;
      list.replaceChildren(...cache.get(id).map((h) => {
        const option = document.createElement("option");
        option.value = h.room;
        option.label = h.verified_members > 0 ? strings.verified : strings.unverified;
        return option;
      }));
    };
    unit.addEventListener("change", fill);
    picker.addEventListener("rooms-changed", () => { cache.delete(unit.value); fill(); });
    fill();
  });
}

// After an entry that may have made a household: read the chosen unit's rooms again.
export function roomsChanged(root = document) {
  root.querySelectorAll('[data-role="household-picker"]').forEach((p) => p.dispatchEvent(new Event("rooms-changed")));
}
