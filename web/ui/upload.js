// An "upload …" button under an AIO node's media widgets: pick a file, put it into ComfyUI's input
// folder (its own /upload/image route, which takes any media), and choose it in the widget.

import { mediaWidgets } from "../lib/uploads.js";

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

export function addUploadButtons(node, nodeData, pack, notify) {
  for (const media of mediaWidgets(nodeData)) {
    const combo = node.widgets?.find((w) => w.name === media.name);
    if (!combo) continue;
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
    });
    // Not a setting: kept out of the saved workflow's widget values (it is last, so it shifts none).
    button.serialize = false;
  }
}
