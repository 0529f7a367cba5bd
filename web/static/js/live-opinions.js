// The watch page's opinions part.
export function init(root, config) {}
