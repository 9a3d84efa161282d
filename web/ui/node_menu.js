// "LTX2.3 AIO mode" in an AIO node's right-click menu: the mode switch without the sidebar.

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
  }];
}
