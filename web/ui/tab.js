// Registering the sidebar tab, or saying clearly why there is none.

import { renderSidebar } from "./sidebar.js";

export const TAB = {
  id: "ltx23aio",
  title: "LTX2.3 AIO",
  icon: "icon-[lucide--film]",
  tooltip: "LTX2.3 AIO: modes, model files, examples",
};

export const NO_SIDEBAR = "This ComfyUI frontend cannot add sidebar tabs, so the LTX2.3 AIO sidebar is off. "
  + "Switch an AIO node's mode from its right-click menu; update ComfyUI for the sidebar.";

// Returns whether the tab is there.
export function installSidebar(app, controller) {
  const manager = app.extensionManager;
  if (typeof manager?.registerSidebarTab !== "function") {
    console.warn(`[LTX2.3 AIO] ${NO_SIDEBAR}`);
    manager?.toast?.add?.({ severity: "warn", summary: "LTX2.3 AIO", detail: NO_SIDEBAR, life: 15000 });
    return false;
  }
  manager.registerSidebarTab({ ...TAB, type: "custom", render: (el) => renderSidebar(el, controller) });
  return true;
}
