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

// The example's tab when it is open already (ComfyUI names the tab after the name it was opened
// under).
export function openExampleTab(workflowStore, name) {
  return (workflowStore?.openWorkflows ?? []).find((w) => w.filename === name || w.path === `workflows/${name}.json`) ?? null;
}

const holdsMode = (graph, mode) => (graph?.nodes ?? []).some((n) => n.type === mode.node_id);

// Opens the example in its own tab, or goes back to that tab if it is open (with the user's
// changes in it), as ComfyUI's workflow tabs do. A tab that no longer holds the mode's node gets
// the example afresh.
export async function openExample(app, pack, catalog, mode) {
  const store = app.extensionManager?.workflow;
  const open = openExampleTab(store, mode.example);
  if (open) {
    const active = store.activeWorkflow === open;
    if (active && holdsMode(app.graph, mode)) return;
    const state = active ? null : open.activeState;
    const graph = holdsMode(state, mode) ? state : await pack.template(catalog.pack, mode.example);
    await app.loadGraphData(graph, true, true, open);
    return;
  }
  const workflow = await pack.template(catalog.pack, mode.example);
  await app.loadGraphData(workflow, true, true, mode.example);
}
