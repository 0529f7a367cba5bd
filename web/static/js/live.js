// The watch page: reads its config, opens the page's ONE socket (the chat part owns it and joins
// the room) and hands it explicitly to the video and opinion parts.
import { init as initVideo } from "./live-video.js";
import { init as initChat } from "./live-chat.js";
import { init as initOpinions } from "./live-opinions.js";
import { init as initInteract } from "./live-interact.js";

const root = document.getElementById("watch");
const config = JSON.parse(root.dataset.config);
config.csrf = document.querySelector('meta[name="csrf-token"]').content;
config.lang = document.querySelector('meta[name="lang"]').content;

const socket = initChat(root, config);
for (const part of [initVideo, initOpinions, initInteract]) {
  try {
    part(root, config, socket);
  } catch (err) {
    console.error(err);
  }
}
