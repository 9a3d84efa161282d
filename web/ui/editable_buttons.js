// Under the mode buttons: "Open … as editable nodes", one button per selected AIO node.

import { h } from "./dom.js";

export function editableButtons(state, controller) {
  return h("div", { class: "ltx23aio-editable", hidden: !state.selected.length },
    state.selected.map((id, i) => h("button", {
      class: "ltx23aio-open-editable", dataset: { mode: id, index: String(i) },
      title: "Replace the node with the core nodes it runs, in a subgraph you can open and change (Ctrl+Z undoes it).",
      // The selection is read when clicked: the button's index is its place among the selected nodes.
      onclick: () => {
        const node = controller.selectedNodes()[i];
        if (node) controller.openEditable(node);
      },
    }, `Open ${state.catalog.byId.get(id).title} as editable nodes`)));
}
