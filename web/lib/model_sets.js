// The sidebar's model-set picker tells one truth: the set of the selected AIO node(s), or the set
// a node added from the sidebar will get. Nothing here reads the canvas; canvas.js gives the values.

export const AUTO = "auto";
export const MIXED = "";

// What the picker targets: the selected nodes' `models` values, or the set for new nodes.
export function pickerTarget(selectedSets, newNodeSet) {
  if (!selectedSets.length) {
    return { kind: "new", value: newNodeSet, label: "Model set for new nodes" };
  }
  const distinct = [...new Set(selectedSets)];
  const label = selectedSets.length > 1 ? "Model set of the selected nodes" : "Model set of the selected node";
  return { kind: "selected", value: distinct.length === 1 ? distinct[0] : MIXED, label };
}

// The picker's options: the server's sets, a set a node names that the server does not list
// (marked unknown: the node would fail), and user sets whose file did not parse (marked broken,
// with the parser's message, not choosable).
export function pickerOptions(status, value) {
  const sets = status?.sets ?? [];
  const options = sets.map((s) => ({ value: s.name, label: s.label === s.name ? s.name : `${s.label}`,
    title: s.description ?? "", disabled: false }));
  if (!sets.length) options.push({ value: value || AUTO, label: value || AUTO, title: "", disabled: false });
  else if (value && !sets.some((s) => s.name === value)) {
    options.push({ value, label: `${value} (unknown set)`, title: "No model set of this name on the server", disabled: false });
  }
  if (value === MIXED) options.unshift({ value: MIXED, label: "— several sets —", title: "", disabled: true });
  for (let [path, message] of Object.entries(status?.broken_sets ?? {})) {
    const file = String(path).split(/[\\/]/).pop();
    // The server's message may start with the path the tooltip already shows.
    message = String(message).startsWith(path) ? String(message).slice(String(path).length).replace(/^:\s*/, "") : String(message);
    options.push({ value: `broken:${path}`, label: `⚠ ${file} (broken)`, title: `${path}: ${message}`, disabled: true,
      broken: { file, path, message } });
  }
  return options;
}

// Which set `auto` resolves to, from the status of the mode the picker is about (the selected
// node's, else the first mode's): {label, reason} or null when the picker is not on auto.
export function autoResolution(status, value, modeId) {
  if (value !== AUTO || !status?.modes?.length) return null;
  const mode = status.modes.find((m) => m.mode === modeId) ?? status.modes[0];
  if (!mode?.set) return null;
  return { set: mode.set, label: mode.set_label ?? mode.set, reason: mode.reason ?? "" };
}

// What auto picks per mode, from a status read for `auto`: mode id → set label.
export function autoSetsOf(status) {
  return new Map((status?.modes ?? []).filter((m) => m.requested === AUTO || m.requested === undefined)
    .filter((m) => m.set).map((m) => [m.mode, m.set_label ?? m.set]));
}

// The node's `models` chooser says which set auto stands for ("auto → fp8 · scaled"); the value
// stays "auto", so the choice is still made when the node runs.
export function modelsOptionLabel(value, autoSets, modeId) {
  if (value === null || value === undefined) return "";
  const picked = value === AUTO ? autoSets?.get(modeId) : null;
  return picked ? `${AUTO} → ${picked}` : String(value);
}
