// Example workflows: opening one, and putting the media it names into ComfyUI's input folder
// (also when it is opened from ComfyUI's Templates browser, through beforeConfigureGraph).

import { exampleMediaIn, renameMedia } from "../lib/examples.js";
import { modeOfNode } from "../lib/modes.js";

// Uploaded this session: combos built before the upload do not list these files yet.
const uploaded = new Set();

export async function provideExampleMedia(workflow, catalog, pack) {
  const renames = new Map();
  for (const name of exampleMediaIn(workflow, catalog)) {
    const stored = await pack.uploadMedia(catalog.pack, name);
    uploaded.add(stored);
    if (stored !== name) renames.set(name, stored);
  }
  renameMedia(workflow, renames, catalog);
}

export function listUploadedMedia(node, catalog) {
  if (!modeOfNode(node, catalog)) return;
  for (const w of node.widgets ?? []) {
    const values = w.options?.values;
    if (w.type === "combo" && Array.isArray(values) && uploaded.has(w.value) && !values.includes(w.value)) {
      values.push(w.value);
    }
  }
}

export async function openExample(app, pack, catalog, mode) {
  const workflow = await pack.template(catalog.pack, mode.example);
  await app.loadGraphData(workflow, true, true, mode.example);
}
