// The "LTX2.3 AIO" sidebar tab: mode buttons, then each mode's model files and example.
// Drawn from the controller's store; ComfyUI may mount the tab many times.

import { withQueued } from "../lib/model_status.js";
import { h } from "./dom.js";
import { editableButtons } from "./editable_buttons.js";
import { modeSection } from "./mode_section.js";

function hint(state) {
  const names = state.selected.map((id) => state.catalog.byId.get(id).title);
  if (!names.length) return "Click a mode to add its node. Select an AIO node first to switch its mode instead.";
  return `Selected: ${names.join(", ")}. Click another mode to switch ${names.length > 1 ? "them" : "it"}; `
    + "the settings and the links that fit are kept.";
}

function modeButtons(state, controller) {
  return h("div", { class: "ltx23aio-modes" }, state.catalog.modes.map((mode) => h("button", {
    class: "ltx23aio-mode" + (state.selected.includes(mode.id) ? " ltx23aio-current" : ""),
    dataset: { mode: mode.id }, title: mode.description, onclick: () => controller.chooseMode(mode),
  }, mode.title)));
}

function modelSetPicker(state, controller) {
  const sets = state.status?.sets ?? [];
  return h("div", { class: "ltx23aio-setpicker" },
    h("label", {}, "Model set ",
      h("select", { disabled: !sets.length, onchange: (e) => controller.chooseModelSet(e.target.value) },
        (sets.length ? sets : [{ name: state.modelSet, label: state.modelSet }]).map((s) =>
          h("option", { value: s.name, selected: s.name === state.modelSet, title: s.description ?? "" }, s.label)))),
    h("button", { class: "ltx23aio-refresh", title: "Look again for the model files", onclick: () => controller.refreshStatus() }, "↻"));
}

// Each part is rebuilt only when what it shows changed, so an open dropdown or a hovered button
// survives the many progress events of a download.
function partCache() {
  const parts = new Map();
  return (key, deps, build) => {
    const old = parts.get(key);
    if (old && old.deps.length === deps.length && old.deps.every((d, i) => d === deps[i])) return old.node;
    const node = build();
    parts.set(key, { deps, node });
    return node;
  };
}

function patchChildren(parent, nodes) {
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) {
      if (parent.children[i]) parent.replaceChild(node, parent.children[i]);
      else parent.append(node);
    }
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

function view(state, controller, part) {
  if (state.loadError) return [h("p", { class: "ltx23aio-error" }, state.loadError)];
  if (!state.catalog) return [h("p", { class: "ltx23aio-note" }, "Loading…")];
  const status = withQueued(state.status, state.queued);
  const statusOf = (id) => status?.modes.find((m) => m.mode === id);
  return [
    part("title", [], () => h("h2", {}, "LTX2.3 AIO")),
    part("hint", [state.selected], () => h("p", { class: "ltx23aio-hint" }, hint(state))),
    part("modes", [state.selected], () => modeButtons(state, controller)),
    part("editable", [state.selected], () => editableButtons(state, controller)),
    part("heading", [], () => h("h3", {}, "Model files and examples")),
    part("sets", [state.status?.sets, state.modelSet], () => modelSetPicker(state, controller)),
    part("status-error", [state.statusError], () => h("p", { class: "ltx23aio-error", hidden: !state.statusError }, state.statusError ?? "")),
    ...state.catalog.modes.map((mode) => {
      const open = state.open.has(mode.id);
      const requesting = state.requesting.has(mode.id);
      const status = statusOf(mode.id);
      return part(`mode-${mode.id}`, [status, open, requesting],
        () => modeSection({ mode, status, open, requesting }, controller));
    }),
  ];
}

export function renderSidebar(el, controller) {
  const root = h("div", { class: "ltx23aio" });
  el.replaceChildren(root);
  const part = partCache();
  const paint = (state) => patchChildren(root, view(state, controller, part));
  let shown = false;
  // ComfyUI does not say when it unmounts the tab: stop drawing once the panel has left the page.
  const unsubscribe = controller.store.subscribe((state) => {
    shown ||= root.isConnected;
    if (shown && !root.isConnected) unsubscribe();
    else paint(state);
  });
  root.addEventListener("mouseenter", controller.refreshSelection);
  paint(controller.store.get());
  controller.refreshSelection();
}
