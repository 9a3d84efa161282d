// An AIO node's right-click menu: "LTX2.3 AIO mode" (the mode switch without the sidebar) and
// "Open as editable nodes".

import { modeOfNode } from "../lib/modes.js";

export function nodeMenuItems(node, controller) {
  const catalog = controller.store.get().catalog;
  const current = catalog && modeOfNode(node, catalog);
  if (!current) return [];
  return [{
    content: "LTX2.3 AIO mode",
    has_submenu: true,
    submenu: {
      options: catalog.modes.map((mode) => ({
        content: mode.title,
        disabled: mode === current,
        callback: () => controller.switchNode(node, mode),
      })),
    },
  }, {
    content: "Open as editable nodes",
    callback: () => controller.openEditable(node),
  }];
}
