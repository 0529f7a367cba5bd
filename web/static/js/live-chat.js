// The watch page's chat part.
export function init(root, config) {}
