// The watch page's video part.
export function init(root, config) {}
