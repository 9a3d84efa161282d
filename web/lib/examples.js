// The pack's example workflows and the media they use. ComfyUI serves a pack's
// example_workflows/ folder at /api/workflow_templates/<pack>/; the media lie in its media/
// subfolder, which the Templates browser does not list.

const part = (s) => encodeURIComponent(s);

export function templatePath(pack, name) {
  return `/workflow_templates/${part(pack)}/${part(name)}.json`;
}

export function mediaPath(pack, name) {
  return `/workflow_templates/${part(pack)}/media/${part(name)}`;
}

function* workflowNodes(workflow) {
  yield* workflow?.nodes ?? [];
  for (const subgraph of workflow?.definitions?.subgraphs ?? []) yield* subgraph.nodes ?? [];
}

function widgetValues(node) {
  const v = node.widgets_values;
  if (!v) return [];
  return Array.isArray(v) ? v : Object.values(v);
}

// The example media an AIO node of this workflow names (they may be missing from the input folder).
export function exampleMediaIn(workflow, catalog) {
  const shipped = new Set(catalog.exampleMedia);
  const found = new Set();
  for (const node of workflowNodes(workflow)) {
    if (!catalog.byNodeId.has(node.type)) continue;
    for (const value of widgetValues(node)) if (shipped.has(value)) found.add(value);
  }
  return found;
}

// ComfyUI stores an upload under another name when a different file already has that name.
export function renameMedia(workflow, renames, catalog) {
  for (const node of workflowNodes(workflow)) {
    const v = node.widgets_values;
    if (!catalog.byNodeId.has(node.type) || !v || typeof v !== "object") continue;
    for (const key of Object.keys(v)) if (renames.has(v[key])) v[key] = renames.get(v[key]);
  }
}
