// Per medium of an AIO node: an "upload …" button (pick a file, put it into ComfyUI's input
// folder through its own /upload/image route, which takes any media, and choose it in the widget)
// and a preview of the chosen file, shown with the medium's chooser right under the node's
// sockets. The buttons and previews are not saved; the values are saved in the definition's order
// (lib/widget_order.js), whatever the order shown.

import { mediaWidgets } from "../lib/uploads.js";
import { shownOrder, toSavedValues, toShownValues } from "../lib/widget_order.js";
import { addMediaPreview, watchMediaCombo } from "./media_preview.js";

function pickFile(accept) {
  return new Promise((resolve) => {
    const input = Object.assign(document.createElement("input"), { type: "file", accept });
    input.style.display = "none";
    const done = () => {
      resolve(input.files?.[0] ?? null);
      input.remove();
    };
    input.addEventListener("change", done, { once: true });
    input.addEventListener("cancel", done, { once: true });
    document.body.append(input);
    input.click();
  });
}

// Shows the media groups first, and keeps widgets_values in the order the widgets were created.
function showMediaFirst(node, created, groups) {
  node.widgets.splice(0, node.widgets.length, ...shownOrder(node.widgets, groups));
  const serialized = node.onSerialize;
  node.onSerialize = function (data) {
    if (Array.isArray(data.widgets_values)) data.widgets_values = toSavedValues(this.widgets, created, data.widgets_values);
    return serialized?.apply(this, [data]);
  };
  // Before ComfyUI's configure hands the values out in the order shown (a copy: the workflow's
  // own data stays as saved).
  const configure = node.configure;
  node.configure = function (data, ...rest) {
    const values = data?.widgets_values;
    const ordered = Array.isArray(values) ? { ...data, widgets_values: toShownValues(this.widgets, created, values) } : data;
    const result = configure.apply(this, [ordered, ...rest]);
    // Setting a list's count (core's DynamicCombo) while loading fits the node to its widgets:
    // the node keeps the size it was saved with.
    if (Array.isArray(data?.size) && data.size.length === 2 && this.widgets?.some((w) => w.ltx23aioRows)) {
      this.setSize?.([...data.size]);
    }
    // Values set without the choosers' callbacks (undo, paste, a copy): the Nodes 2.0 view draws
    // no canvas frame that would refresh the previews.
    this.ltx23aioRefreshMedia?.();
    return result;
  };
}

export function addMediaControls(node, nodeData, pack, notify, apiURL) {
  const created = [...(node.widgets ?? [])];
  for (const w of created) {  // the LoRA and keyframe lists: their rows are saved after them
    if (nodeData.input?.optional?.[w.name]?.[0] === "COMFY_DYNAMICCOMBO_V3") w.ltx23aioRows = true;
  }
  const groups = [];
  const updates = [];
  for (const media of mediaWidgets(nodeData)) {
    const combo = node.widgets?.find((w) => w.name === media.name);
    if (!combo) continue;
    // Only on the classic canvas: the Nodes 2.0 view draws its own upload control in the chooser.
    const button = node.addWidget("button", media.label, null, async () => {
      const file = await pickFile(media.accept);
      if (!file) return;
      try {
        const name = await pack.uploadFile(file);
        const values = combo.options?.values;
        if (Array.isArray(values) && !values.includes(name)) values.push(name);
        combo.value = name;
        combo.callback?.(name);
        node.setDirtyCanvas?.(true, true);
      } catch (e) {
        notify({ severity: "error", summary: `Upload of ${file.name} failed`, detail: e.message, life: 8000 });
      }
    }, { serialize: false, canvasOnly: true });
    button.serialize = false;
    const preview = addMediaPreview(node, media, combo, apiURL);
    watchMediaCombo(combo, preview.update);
    updates.push(preview.update);
    groups.push([combo, button, preview.widget]);
  }
  if (!updates.length) return;
  showMediaFirst(node, created, groups);
  // Values also change without the chooser's callback (a workflow loaded, undo, a mode switch):
  // the classic canvas draws every frame, and loadedGraphNode calls this after a load.
  node.ltx23aioRefreshMedia = () => updates.forEach((update) => update());
  const draw = node.onDrawForeground;
  node.onDrawForeground = function (...args) {
    node.ltx23aioRefreshMedia();
    return draw?.apply(this, args);
  };
  const size = node.computeSize?.();
  if (size) node.setSize?.([Math.max(node.size[0], size[0]), Math.max(node.size[1], size[1])]);
}
