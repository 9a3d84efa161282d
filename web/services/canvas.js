// AIO nodes on the canvas: which are selected, adding one, changing one's mode.

import { aioNodes, modeOfNode } from "../lib/modes.js";
import { planModeSwitch, switchMessage } from "../lib/switch.js";

// The graph on screen: the root graph or the subgraph the user has opened.
const shownGraph = (app) => app.canvas.graph ?? app.graph;

export function selectedAioNodes(app, catalog) {
  if (!app.canvas) return [];
  const items = app.canvas.selectedItems ?? Object.values(app.canvas.selected_nodes ?? {});
  return aioNodes(items, catalog);
}

// Inside undo history as one step.
function asOneChange(app, change) {
  app.canvas.emitBeforeChange?.();
  try {
    return change();
  } finally {
    app.canvas.emitAfterChange?.();
    app.canvas.setDirty(true, true);
  }
}

// The model set a node names in its `models` widget.
export function modelSetOf(node) {
  return node.widgets?.find((w) => w.name === "models")?.value ?? null;
}

function chooseCombo(widget, value) {
  const values = widget.options?.values;
  // A set the server added after the page loaded is not among the combo's options yet.
  if (Array.isArray(values) && !values.includes(value)) values.push(value);
  widget.value = value;
  widget.callback?.(value);
}

// The sidebar's picker sets the selected nodes' model set: one undoable change.
export function setModelSet(app, nodes, name) {
  asOneChange(app, () => {
    for (const node of nodes) {
      const widget = node.widgets?.find((w) => w.name === "models");
      if (widget) chooseCombo(widget, name);
    }
  });
}

const GAP = 40;

// At the view's centre, or right of the nodes that are there already (nodes added one after
// another would otherwise lie exactly on top of each other).
export function placeApart(pos, size, nodes) {
  const at = [...pos];
  const overlaps = (n) => at[0] < n.pos[0] + n.size[0] + GAP && n.pos[0] < at[0] + size[0] + GAP
    && at[1] < n.pos[1] + n.size[1] + GAP && n.pos[1] < at[1] + size[1] + GAP;
  for (let i = 0; i < 100; i++) {
    const hit = nodes.find(overlaps);
    if (!hit) break;
    at[0] = hit.pos[0] + hit.size[0] + GAP;
  }
  return at;
}

export function addModeNode(app, LiteGraph, mode, modelSet = null) {
  return asOneChange(app, () => {
    const node = LiteGraph.createNode(mode.node_id);
    const models = modelSet && node.widgets?.find((w) => w.name === "models");
    if (models) chooseCombo(models, modelSet);
    const rect = app.canvas.canvas.getBoundingClientRect();
    const [x, y] = app.canvas.ds.convertCanvasToOffset([rect.width / 2, rect.height / 2]);
    node.pos = placeApart([x - node.size[0] / 2, y - node.size[1] / 2], node.size, shownGraph(app).nodes ?? []);
    shownGraph(app).add(node);
    app.canvas.selectNode(node);
    return node;
  });
}

const comboValues = (w) => {
  const values = w.options?.values;
  return typeof values === "function" ? values() : values;
};

function describe(node) {
  return {
    widgets: (node.widgets ?? []).map((w) => ({ name: w.name, value: w.value,
      values: w.type === "combo" ? comboValues(w) : undefined })),
    inputs: (node.inputs ?? []).map((i) => ({ name: i.name, type: i.type, link: i.link })),
    outputs: (node.outputs ?? []).map((o) => ({ name: o.name, type: o.type, links: o.links ?? [] })),
  };
}

// The defaults of the node's definition (what a freshly added node shows).
function definitionDefaults(node) {
  const input = node.constructor.nodeData?.input ?? {};
  const defaults = {};
  for (const group of [input.required, input.optional]) {
    for (const [name, spec] of Object.entries(group ?? {})) {
      if (spec?.[1] && "default" in spec[1]) defaults[name] = spec[1].default;
    }
  }
  return defaults;
}

const linkOf = (graph, id) => graph.getLink?.(id) ?? graph.links?.get?.(id) ?? graph.links?.[id];

export function switchNodeMode(app, LiteGraph, node, mode, catalog) {
  const from = modeOfNode(node, catalog);
  const graph = node.graph ?? shownGraph(app);
  const fresh = LiteGraph.createNode(mode.node_id);
  const plan = planModeSwitch({
    source: describe(node), target: describe(fresh),
    defaults: { source: definitionDefaults(node), target: definitionDefaults(fresh) },
    media: { source: from.media, target: mode.media },
  });
  // Read every link as plain data first: removing the old node removes its links.
  const incoming = plan.links.map(({ link, to }) => {
    const l = linkOf(graph, link);
    return { origin: l.origin_id, slot: l.origin_slot, to };
  });
  const outgoing = plan.outputs.flatMap(({ links, to }) => links.map((id) => {
    const l = linkOf(graph, id);
    return { target: l.target_id, slot: l.target_slot, to };
  }));
  return asOneChange(app, () => {
    const customTitle = node.title !== node.constructor.title && node.title !== node.constructor.nodeData?.display_name;
    const { id, pos, size, flags } = { id: node.id, pos: [...node.pos], size: [...node.size], flags: { ...(node.flags ?? {}) } };
    for (const key of ["color", "bgcolor", "mode"]) if (node[key] !== undefined) fresh[key] = node[key];
    if (customTitle) fresh.title = node.title;
    // The same node as far as the user sees: its id (what links, the queue and other tools
    // refer to), place, size (grown if the new mode needs more room), pinned and collapsed state.
    graph.remove(node);
    fresh.id = id;
    fresh.pos = pos;
    graph.add(fresh);
    for (const [name, value] of plan.values) {
      const widget = fresh.widgets.find((w) => w.name === name);
      // A chosen file the fresh list does not offer yet (uploaded this session).
      const values = widget.options?.values;
      if (Array.isArray(values) && !values.includes(value)) values.push(value);
      widget.value = value;
    }
    for (const name of plan.emptied ?? []) {
      const widget = fresh.widgets.find((w) => w.name === name);
      if (widget) widget.value = null;
    }
    const needed = fresh.computeSize?.() ?? fresh.size;
    fresh.size = [Math.max(size[0], needed[0]), Math.max(size[1], needed[1])];
    fresh.onResize?.(fresh.size);
    for (const flag of ["pinned", "collapsed"]) if (flags[flag]) fresh.flags[flag] = true;
    for (const { origin, slot, to } of incoming) {
      graph.getNodeById(origin).connect(slot, fresh, fresh.findInputSlot(to));
    }
    for (const { target, slot, to } of outgoing) {
      fresh.connect(fresh.findOutputSlot(to), graph.getNodeById(target), slot);
    }
    fresh.ltx23aioRefreshMedia?.();
    app.canvas.selectNode(fresh);
    return { node: fresh, plan, message: switchMessage(plan, from.title, mode.title) };
  });
}
