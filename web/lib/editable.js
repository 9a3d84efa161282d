// "Open as editable nodes", the parts that need no canvas: what to ask the server
// (POST /ltx23_aio/expand) for an AIO node, and how to lay out and wire the graph it answers.
//
//   node description = {widgets: [{name, value}], inputs: [{name, link, origin?: {type, value?}}],
//                       outputs: [{name, links}]}
//   origin.value: the value of a primitive node feeding that input, when one can be read.

// Core nodes whose output is just their widget's value: the browser can read it before any run.
export const PRIMITIVE_TYPES = new Set(["PrimitiveInt", "PrimitiveFloat", "PrimitiveString",
  "PrimitiveStringMultiline", "PrimitiveBoolean", "PrimitiveNode"]);

const NOT_VALUES = new Set(["control_after_generate", "control_filter_list"]);

export function expandRequest(mode, node) {
  const values = {};
  for (const w of node.widgets) {
    if (!NOT_VALUES.has(w.name) && w.value !== undefined && w.type !== "button") values[w.name] = w.value;
  }
  const wired = {};
  const primitives = {};
  for (const input of node.inputs) {
    if (input.link === null || input.link === undefined) continue;
    wired[input.name] = true;
    if (input.origin && "value" in input.origin) primitives[input.name] = input.origin.value;
  }
  return { mode: mode.id, values, wired, primitives };
}

const isLink = (v) => Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && Number.isInteger(v[1]);

// Column of each node: the longest chain of links leading to it, so every link runs rightwards.
export function depths(graph) {
  const depth = new Map();
  const visiting = new Set();
  const visit = (id) => {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) throw new Error(`the graph has a cycle through ${id}`);
    visiting.add(id);
    let d = 0;
    for (const v of Object.values(graph[id].inputs)) {
      if (isLink(v) && v[0] in graph) d = Math.max(d, visit(v[0]) + 1);
    }
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const id of Object.keys(graph)) visit(id);
  // A node without inputs (a loader, a constant) sits just left of its first consumer rather
  // than in the first column, so its links stay short.
  const consumers = new Map();
  for (const [id, node] of Object.entries(graph)) {
    for (const v of Object.values(node.inputs)) if (isLink(v) && v[0] in graph) (consumers.get(v[0]) ?? consumers.set(v[0], []).get(v[0])).push(id);
  }
  for (const id of Object.keys(graph)) {
    const feeds = consumers.get(id);
    const isSource = !Object.values(graph[id].inputs).some((v) => isLink(v) && v[0] in graph);
    if (isSource && feeds) depth.set(id, Math.max(0, Math.min(...feeds.map((c) => depth.get(c))) - 1));
  }
  return depth;
}

// Nodes by column, each column ordered by where its inputs come from (fewer crossing links).
export function columns(graph) {
  const depth = depths(graph);
  const cols = [];
  for (const [id, d] of depth) (cols[d] ??= []).push(id);
  const row = new Map();
  cols.forEach((col, c) => {
    if (c > 0) {
      const weight = (id) => {
        const rows = Object.values(graph[id].inputs).filter((v) => isLink(v) && row.has(v[0])).map((v) => row.get(v[0]));
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
      };
      const weights = new Map(col.map((id) => [id, weight(id)]));
      col.sort((a, b) => weights.get(a) - weights.get(b));
    }
    col.forEach((id, r) => row.set(id, r));
  });
  return cols;
}

// Positions for nodes of the given sizes ([w, h] by id): columns left to right from `origin`.
export function layout(cols, sizes, origin = [0, 0], gap = [60, 40], titleHeight = 30) {
  const pos = new Map();
  let x = origin[0];
  for (const col of cols) {
    let y = origin[1];
    let width = 0;
    for (const id of col) {
      const [w, h] = sizes.get(id);
      pos.set(id, [x, y]);
      y += h + titleHeight + gap[1];
      width = Math.max(width, w);
    }
    x += width + gap[0];
  }
  return pos;
}

// What to set on each created node: widget values (a dynamic combo's own value before the
// inputs it adds, e.g. "resize_type" before "resize_type.width") and links between the nodes.
// Inputs the server left null are where wired values enter (answer.inputs).
export function nodePlan(graph) {
  return Object.entries(graph).map(([id, node]) => {
    const widgets = [];
    const links = [];
    for (const [name, value] of Object.entries(node.inputs)) {
      if (isLink(value)) links.push({ input: name, from: value[0], slot: value[1] });
      else if (value !== null) widgets.push([name, value]);
    }
    widgets.sort((a, b) => a[0].split(".").length - b[0].split(".").length);
    return { id, type: node.class_type, widgets, links };
  });
}

// The outer links to make: upstream origins into the created nodes, created nodes into the
// nodes that took the AIO node's outputs. `incoming` = {input name: {origin_id, origin_slot}},
// `outgoing` = {output name: [{target_id, target_slot}]} of the AIO node.
export function outerLinks(answer, incoming, outgoing) {
  const links = [];
  for (const [name, uses] of Object.entries(answer.inputs)) {
    const from = incoming[name];
    if (!from) throw new Error(`the server links ${name}, which is not wired on the node`);
    for (const [id, input] of uses) links.push({ name, from: { node: from.origin_id, slot: from.origin_slot }, to: { id, input } });
  }
  for (const [name, targets] of Object.entries(outgoing)) {
    const source = answer.outputs[name];
    if (!source) continue;
    for (const t of targets) links.push({ name, from: { id: source[0], slot: source[1] }, to: { node: t.target_id, slot: t.target_slot } });
  }
  return links;
}

// The toast after opening: what was dropped or needs doing comes from the server's notes.
export function editableMessage(answer, title) {
  const warn = answer.dropped.length > 0 || answer.notes.some((n) => n.includes("not on this machine"));
  const detail = [`${title} is now a subgraph of core nodes: double-click it to edit. Ctrl+Z brings the AIO node back.`,
    ...answer.notes].join(" ");
  return { severity: warn ? "warn" : "success", summary: "Opened as editable nodes", detail };
}
