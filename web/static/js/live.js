// The watch page: reads its config and starts each part (video, chat, opinions).
import { init as initVideo } from "./live-video.js";
import { init as initChat } from "./live-chat.js";
import { init as initOpinions } from "./live-opinions.js";
import { init as initInteract } from "./live-interact.js";

const root = document.getElementById("watch");
const config = JSON.parse(root.dataset.config);
config.csrf = document.querySelector('meta[name="csrf-token"]').content;
config.lang = document.querySelector('meta[name="lang"]').content;

for (const part of [initVideo, initChat, initOpinions, initInteract]) {
  try {
    part(root, config);
  } catch (err) {
    console.error(err);
  }
}
