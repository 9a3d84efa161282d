// Under an AIO node's other widgets, per medium: an "upload …" button (pick a file, put it into
// ComfyUI's input folder through its own /upload/image route, which takes any media, and choose
// it in the widget) and a preview of the chosen file. They are added last and are not saved, so
// the saved widget values keep their order.

import { mediaWidgets } from "../lib/uploads.js";
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

export function addMediaControls(node, nodeData, pack, notify, apiURL) {
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
  }
  if (!updates.length) return;
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
