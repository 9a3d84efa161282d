// "Open as editable nodes" on the canvas: the AIO node is replaced by a subgraph of the core nodes
// it runs (POST /ltx23_aio/expand), its links moved onto the subgraph's inputs and outputs, as one
// step of ComfyUI's undo history.

import { columns, editableMessage, expandRequest, layout, nodePlan, outerLinks, PRIMITIVE_TYPES } from "../lib/editable.js";
import { modeOfNode } from "../lib/modes.js";

const linkOf = (graph, id) => graph.getLink?.(id) ?? graph.links?.get?.(id) ?? graph.links?.[id];

function primitiveValue(origin) {
  if (!origin || !PRIMITIVE_TYPES.has(origin.comfyClass ?? origin.type)) return undefined;
  const widget = origin.widgets?.find((w) => w.name === "value") ?? origin.widgets?.[0];
  return widget ? { value: widget.value } : undefined;
}

function describe(graph, node) {
  return {
    widgets: (node.widgets ?? []).map((w) => ({ name: w.name, value: w.value, type: w.type })),
    inputs: (node.inputs ?? []).map((i) => {
      const link = i.link === null || i.link === undefined ? null : linkOf(graph, i.link);
      const origin = link ? graph.getNodeById(link.origin_id) : null;
      return { name: i.name, link: link ? link.id : null, origin: link ? { type: origin?.type, ...primitiveValue(origin) } : undefined };
    }),
  };
}

// The undo history of the workflow on screen (ComfyUI's ChangeTracker), if this frontend has one.
const tracker = (app) => app.extensionManager?.workflow?.activeWorkflow?.changeTracker;

function setWidget(node, name, value) {
  const widget = node.widgets?.find((w) => w.name === name);
  if (!widget) throw new Error(`${node.type} has no input "${name}" in this ComfyUI`);
  widget.value = value;
}

function build(app, LiteGraph, graph, node, answer, control, primitives) {
  const created = new Map();
  try {
    for (const spec of nodePlan(answer.graph)) {
      const made = LiteGraph.createNode(spec.type);
      if (!made) throw new Error(`this ComfyUI has no node "${spec.type}"; update ComfyUI to v0.27 or later`);
      graph.add(made);
      created.set(spec.id, made);
      for (const [name, value] of spec.widgets) setWidget(made, name, value);
      // A seed widget keeps its number from run to run unless it is the node's seed.
      for (const w of made.widgets ?? []) if (w.name === "control_after_generate") w.value = "fixed";
    }
    for (const spec of nodePlan(answer.graph)) {
      const target = created.get(spec.id);
      for (const { input, from, slot } of spec.links) {
        const slotIndex = target.findInputSlot(input);
        if (slotIndex < 0) throw new Error(`${target.type} has no input "${input}" in this ComfyUI`);
        if (!created.get(from).connect(slot, target, slotIndex)) throw new Error(`${spec.type}.${input} did not accept its link`);
      }
    }
  } catch (e) {
    for (const made of created.values()) graph.remove(made);
    throw e;
  }
  // A wired value stays a link, but the widget under it shows the primitive's value where that is
  // known: ComfyUI puts such widgets on the subgraph node, which would otherwise show a default.
  for (const [name, uses] of Object.entries(answer.inputs)) {
    if (!(name in primitives)) continue;
    for (const [id, input] of uses) {
      const widget = created.get(id).widgets?.find((w) => w.name === input);
      if (widget) widget.value = primitives[name];
    }
  }
  for (const [id, input] of answer.params.seed ?? []) {
    const made = created.get(id);
    const widget = made.widgets?.find((w) => w.name === input);
    const own = widget?.linkedWidgets?.find((w) => w.name === "control_after_generate")
      ?? made.widgets?.find((w) => w.name === "control_after_generate");
    if (own && control !== undefined) own.value = control;
  }
  const sizes = new Map([...created].map(([id, made]) => [id, made.size]));
  const at = layout(columns(answer.graph), sizes, [node.pos[0], node.pos[1]], [60, 40], LiteGraph.NODE_TITLE_HEIGHT ?? 30);
  for (const [id, made] of created) made.pos = at.get(id);
  return created;
}

// Moves the AIO node's links onto the created nodes; returns which outer slot feeds which AIO input.
function relink(graph, node, answer, created) {
  const incoming = {};
  for (const input of node.inputs ?? []) {
    const link = input.link === null || input.link === undefined ? null : linkOf(graph, input.link);
    if (link) incoming[input.name] = { origin_id: link.origin_id, origin_slot: link.origin_slot };
  }
  const outgoing = {};
  for (const output of node.outputs ?? []) {
    outgoing[output.name] = (output.links ?? []).map((id) => linkOf(graph, id)).filter(Boolean)
      .map((l) => ({ target_id: l.target_id, target_slot: l.target_slot }));
  }
  for (const { from, to } of outerLinks(answer, incoming, outgoing)) {
    if (from.node !== undefined) {
      const target = created.get(to.id);
      graph.getNodeById(from.node).connect(from.slot, target, target.findInputSlot(to.input));
    } else {
      created.get(from.id).connect(from.slot, graph.getNodeById(to.node), to.slot);
    }
  }
  return { incoming, outgoing };
}

// Names the subgraph's inputs and outputs after the AIO node's, and adds the outputs nothing took.
function nameSlots(graph, subgraphNode, subgraph, answer, incoming, created, types) {
  const inputName = new Map();
  for (const [name, from] of Object.entries(incoming)) {
    if (!answer.inputs[name]) continue;
    const key = `${from.origin_id}:${from.origin_slot}`;
    inputName.set(key, inputName.has(key) ? `${inputName.get(key)} / ${name}` : name);
  }
  subgraphNode.inputs.forEach((input, i) => {
    const link = input.link === null || input.link === undefined ? null : linkOf(graph, input.link);
    const name = link && inputName.get(`${link.origin_id}:${link.origin_slot}`);
    if (name && subgraph.inputs[i]) subgraph.renameInput(subgraph.inputs[i], name);
  });
  const outputOf = new Map(Object.entries(answer.outputs).map(([name, [id, slot]]) => [`${created.get(id).id}:${slot}`, name]));
  const named = new Set();
  subgraph.outputs.forEach((output) => {
    const link = output.linkIds?.length ? subgraph.getLink(output.linkIds[0]) : null;
    const name = link && outputOf.get(`${link.origin_id}:${link.origin_slot}`);
    if (name) {
      subgraph.renameOutput(output, name);
      named.add(name);
    }
  });
  for (const [name, [id, slot]] of Object.entries(answer.outputs)) {
    if (named.has(name)) continue;
    const inner = subgraph.getNodeById(created.get(id).id);
    if (!inner) continue;
    const output = subgraph.addOutput(name, types[name] ?? inner.outputs[slot].type);
    output.connect(inner.outputs[slot], inner);
  }
  // Place the slots now, not when the subgraph is first opened (a change of its own to undo).
  subgraph.inputNode.arrange?.();
  subgraph.outputNode.arrange?.();
}

const settled = () => Promise.race([
  new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  new Promise((resolve) => setTimeout(resolve, 250)), // a hidden tab draws no frames
]);

// ComfyUI finishes a new subgraph node over the next seconds: it promotes media previews of the
// nodes inside onto it (a video once its file has loaded) and resizes it. Recorded separately,
// those would be a step of their own, and the first Ctrl+Z would undo only them; so while this
// step is still the last one recorded, they are folded into it.
const FOLD_AFTER_MS = [500, 1500, 3000, 6000];

function foldLateChanges(app) {
  const history = tracker(app);
  let ours = history?.activeState;
  if (!ours) return;
  for (const ms of FOLD_AFTER_MS) {
    setTimeout(() => {
      if (history.activeState !== ours || history.changeCount > 0 || history._restoringState) return;
      history.activeState = ours = JSON.parse(JSON.stringify(app.rootGraph.serialize()));
    }, ms);
  }
}

export async function openAsEditable({ app, LiteGraph, pack, catalog, node }) {
  const mode = modeOfNode(node, catalog);
  const graph = node.graph;
  const request = expandRequest(mode, describe(graph, node));
  const answer = await pack.expand(request);
  if (graph.getNodeById(node.id) !== node) throw new Error("the node was removed while its graph was being read");
  const title = node.title || mode.title;
  const control = node.widgets?.find((w) => w.name === "control_after_generate")?.value;
  const types = Object.fromEntries((node.outputs ?? []).map((o) => [o.name, o.type]));
  const where = [...node.pos];
  // Undo must come back to exactly this graph, widget edits not yet recorded included.
  tracker(app)?.captureCanvasState?.();
  let changed = false;
  let failure = null;
  let result = null;
  app.canvas.emitBeforeChange?.();
  try {
    const created = build(app, LiteGraph, graph, node, answer, control, request.primitives); // removes its nodes if it fails
    changed = true;
    const { incoming } = relink(graph, node, answer, created);
    graph.remove(node);
    const { node: subgraphNode, subgraph } = graph.convertToSubgraph(new Set(created.values()));
    subgraph.name = answer.title;
    subgraphNode.title = answer.title;
    nameSlots(graph, subgraphNode, subgraph, answer, incoming, created, types);
    subgraphNode.pos = where;
    app.canvas.deselectAll?.();
    app.canvas.select?.(subgraphNode);
    result = { node: subgraphNode, subgraph, answer, message: editableMessage(answer, title) };
    // Nodes with a type that follows their input (ResizeImageMaskNode) settle it one frame after
    // they are made: inside this step, or the first Ctrl+Z would only undo that.
    await settled();
  } catch (e) {
    failure = e;
  } finally {
    app.canvas.emitAfterChange?.();
    app.canvas.setDirty(true, true);
  }
  if (!failure) foldLateChanges(app);
  if (failure) {
    // Half done: the step just recorded is undone, which brings the AIO node and its links back.
    if (changed) await tracker(app)?.undo?.();
    throw failure;
  }
  return result;
}
