// What survives when an AIO node changes mode: the plan is computed on plain descriptions of the
// two nodes, so it can be tested without a canvas.
//
//   node     = {widgets: [{name, value, values?}], inputs: [{name, type, link?}],
//               outputs: [{name, type, links?}]}        (values: a combo's options)
//   defaults = {name: value} of a node fresh from its definition
//   media    = the mode's media inputs [{name, kind, socket}] (GET /ltx23_aio/modes)

// A picture stays a picture: each medium goes to the target input of the same name, else to the
// first free one of the same kind (Image → Video's image becomes First/Last's first_image).
export function mediaCounterparts(sourceMedia, targetMedia) {
  const pairs = new Map();
  const taken = new Set();
  for (const m of sourceMedia) {
    const same = targetMedia.find((t) => t.name === m.name && t.kind === m.kind);
    if (same) {
      pairs.set(m.name, same);
      taken.add(same.name);
    }
  }
  for (const m of sourceMedia) {
    if (pairs.has(m.name)) continue;
    const free = targetMedia.find((t) => t.kind === m.kind && !taken.has(t.name));
    if (free) {
      pairs.set(m.name, free);
      taken.add(free.name);
    }
  }
  return pairs;
}

// LiteGraph slot types may list alternatives ("IMAGE,MASK"); "*" takes anything.
export function typesFit(a, b) {
  if (a === b || a === "*" || b === "*") return true;
  const left = String(a).split(",");
  return String(b).split(",").some((t) => left.includes(t));
}

function renamer(sourceMedia, targetMedia) {
  const names = new Map();
  for (const m of sourceMedia) {
    names.set(m.name, null);
    names.set(m.socket, null);
  }
  for (const [from, to] of mediaCounterparts(sourceMedia, targetMedia)) {
    const m = sourceMedia.find((s) => s.name === from);
    names.set(m.name, to.name);
    names.set(m.socket, to.socket);
  }
  // A medium without a counterpart maps to null: it has no place in the target mode.
  return (name) => (names.has(name) ? names.get(name) : name);
}

function sameValue(a, b) {
  return a === b || (typeof a === "number" && typeof b === "number" && Math.abs(a - b) < 1e-9);
}

const isEmpty = (v) => v === undefined || v === null || v === "";

// Values that go over, and those that have no place in the target (named to the user). A chosen
// file always goes over to its counterpart, even when the target's list does not offer it yet
// (uploaded after the list was read): the file is in the input folder either way.
function carriedValues(source, target, defaults, rename, mediaNames) {
  const values = new Map();
  const dropped = [];
  for (const w of source.widgets) {
    if (isEmpty(w.value)) continue;
    const name = rename(w.name);
    const into = name && target.widgets.find((t) => t.name === name);
    const atDefault = w.name in defaults.source && sameValue(w.value, defaults.source[w.name]);
    const media = mediaNames.has(w.name);
    // A row of a list (core's DynamicCombo: "loras.lora_name1") has no widget on the fresh node
    // until its count is set, which comes before it: it goes over with the count.
    const list = name && name.includes(".") ? name.slice(0, name.indexOf(".")) : null;
    if (!into && list && values.has(list)) {
      values.set(name, w.value);
      continue;
    }
    if (!into) {
      if (!atDefault || media) dropped.push({ name: w.name, value: w.value });
      continue;
    }
    // A value nobody changed follows the mode (the output folder is named after it).
    if (atDefault && !media) continue;
    if (!media && Array.isArray(into.values) && !into.values.includes(w.value)) {
      dropped.push({ name: w.name, value: w.value, reason: "not offered" });
      continue;
    }
    values.set(name, w.value);
  }
  return { values, dropped };
}

export function planModeSwitch({ source, target, defaults = { source: {}, target: {} }, media }) {
  const rename = renamer(media.source, media.target);
  const mediaNames = new Set(media.source.map((m) => m.name));
  const carried = carriedValues(source, target, defaults, rename, mediaNames);
  // A chooser the switch gives no file starts empty: the new node's default (the input folder's
  // first file) is a file nobody chose, and the run would use it.
  const emptied = media.target.map((m) => m.name).filter((name) => !carried.values.has(name));
  const plan = { values: carried.values, droppedValues: carried.dropped, emptied, links: [], outputs: [], dropped: [], moved: [] };
  for (const input of source.inputs) {
    if (input.link === null || input.link === undefined) continue;
    const name = rename(input.name);
    const into = name && target.inputs.find((t) => t.name === name && typesFit(t.type, input.type));
    if (!into) {
      plan.dropped.push({ name: input.name, type: input.type });
      continue;
    }
    plan.links.push({ link: input.link, from: input.name, to: into.name });
    if (into.name !== input.name) plan.moved.push({ from: input.name, to: into.name });
  }
  for (const output of source.outputs) {
    if (!output.links?.length) continue;
    const into = target.outputs.find((t) => t.name === output.name && typesFit(t.type, output.type));
    if (into) plan.outputs.push({ links: [...output.links], from: output.name, to: into.name });
    else plan.dropped.push({ name: output.name, type: output.type });
  }
  return plan;
}

const shown = (v) => (typeof v === "number" ? String(Math.round(v * 1000) / 1000) : typeof v === "string" && v.length > 40
  ? `${v.slice(0, 37)}…` : String(v));

// The toast after a switch: anything lost (a link or a setting) is a warning and is named.
export function switchMessage(plan, fromTitle, toTitle) {
  const lines = [`From ${fromTitle}.`];
  if (plan.moved.length) {
    lines.push("Moved: " + plan.moved.map((m) => `${m.from} to ${m.to}`).join(", ") + ".");
  }
  if (plan.dropped.length) {
    const names = plan.dropped.map((d) => `${d.name} (${d.type})`).join(", ");
    lines.push(`${toTitle} has no input for ${names}: ${plan.dropped.length > 1 ? "those links were" : "that link was"} removed.`);
  }
  const values = plan.droppedValues ?? [];
  const unused = values.filter((d) => !d.reason);
  const refused = values.filter((d) => d.reason);
  if (unused.length) {
    lines.push(`Not used by ${toTitle}: ${unused.map((d) => `${d.name} = ${shown(d.value)}`).join(", ")}.`);
  }
  if (refused.length) {
    lines.push(`Not offered by ${toTitle}, left at its default: ${refused.map((d) => `${d.name} = ${shown(d.value)}`).join(", ")}.`);
  }
  const lost = plan.dropped.length + values.length;
  if (!lost) lines.push("Settings and links kept.");
  return { severity: lost ? "warn" : "success", summary: `Switched to ${toTitle}`, detail: lines.join(" ") };
}
