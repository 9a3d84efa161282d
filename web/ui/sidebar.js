// The "LTX2.3 AIO" sidebar tab: mode buttons, then each mode's model files and example.
// Drawn from the controller's store; ComfyUI may mount the tab many times.

import { fileUsers, setTotals, setTotalsText } from "../lib/downloads.js";
import { autoResolution, pickerOptions, pickerTarget } from "../lib/model_sets.js";
import { withQueued } from "../lib/model_status.js";
import { h } from "./dom.js";
import { editableButtons } from "./editable_buttons.js";
import { modeSection } from "./mode_section.js";

function hint(state) {
  const names = state.selected.map((id) => state.catalog.byId.get(id).title);
  if (!names.length) return "Click a mode to add its node. Select an AIO node first to switch its mode instead.";
  if (state.justAdded) return `Added ${names[0]}. Click a mode to add another; select a node to switch its mode.`;
  return `Selected: ${names.join(", ")}. Click another mode to switch ${names.length > 1 ? "them" : "it"}; `
    + "the settings, files and links that fit are kept, and what has no place is named.";
}

function modeButtons(state, controller) {
  return h("div", { class: "ltx23aio-modes" }, state.catalog.modes.map((mode) => h("button", {
    class: "ltx23aio-mode" + (state.selected.includes(mode.id) && !state.justAdded ? " ltx23aio-current" : ""),
    dataset: { mode: mode.id }, title: mode.description, onclick: () => controller.chooseMode(mode),
  }, mode.title)));
}

function modelSetPicker(state, controller) {
  const target = pickerTarget(state.selectedSets, state.newNodeSet);
  const options = pickerOptions(state.status, target.value);
  const auto = autoResolution(state.status, state.modelSet, state.selected[0]);
  const broken = options.filter((o) => o.broken);
  return h("div", { class: "ltx23aio-setpicker", dataset: { target: target.kind } },
    h("div", { class: "ltx23aio-setpicker-row" },
      h("label", { for: "ltx23aio-set-select" }, target.label),
      h("button", { class: "ltx23aio-refresh", title: "Look again for the model files", "aria-label": "Look again for the model files",
        onclick: () => controller.refreshStatus() }, "↻")),
    h("select", { id: "ltx23aio-set-select", disabled: !state.status?.sets?.length,
      onchange: (e) => controller.chooseModelSet(e.target.value) },
    options.map((o) => h("option", { value: o.value, selected: o.value === target.value, disabled: o.disabled,
      title: o.title }, o.label))),
    auto ? h("p", { class: "ltx23aio-auto", dataset: { autoSet: auto.set } },
      "auto uses ", h("strong", {}, auto.label), auto.reason ? ` — ${auto.reason.replace(/^auto:\s*/, "")}` : "") : null,
    broken.map((b) => h("p", { class: "ltx23aio-broken", title: b.broken.path },
      `⚠ Your model set ${b.broken.file} could not be read: ${b.broken.message}`)));
}

// Failed downloads stay here, with the reason, until dismissed.
function failureList(state, controller) {
  const failures = [...state.failures];
  return h("div", { class: "ltx23aio-failures", hidden: !failures.length },
    failures.length ? h("h3", {}, "Downloads that failed") : null,
    failures.map(([key, f]) => h("div", { class: "ltx23aio-failure", dataset: { file: f.file } },
      h("div", { class: "ltx23aio-file-name" }, f.file),
      h("div", { class: "ltx23aio-failure-reason" }, f.error),
      h("div", { class: "ltx23aio-failure-actions" },
        h("button", { dataset: { action: "retry" }, onclick: () => controller.retry(key) }, "Retry"),
        h("button", { dataset: { action: "dismiss" }, onclick: () => controller.dismiss(key) }, "Dismiss")))));
}

// The file lists change only with the set, not with progress: kept while their names are the same.
function usersMemo() {
  let last = { key: null, users: new Map() };
  return (status) => {
    const key = JSON.stringify(status?.modes?.map((m) => [m.mode, m.files.map((f) => f.name)]) ?? null);
    if (key !== last.key) last = { key, users: fileUsers(status) };
    return last.users;
  };
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

function view(state, controller, part, usersOf) {
  if (state.loadError) return [h("p", { class: "ltx23aio-error" }, state.loadError)];
  if (!state.catalog) return [h("p", { class: "ltx23aio-note" }, "Loading…")];
  const status = withQueued(state.status, state.queued);
  const statusOf = (id) => status?.modes.find((m) => m.mode === id);
  const users = usersOf(state.status);
  const titleOf = (id) => state.catalog.byId.get(id)?.title ?? id;
  const totals = setTotalsText(setTotals(status), `Model set ${status?.modes?.[0]?.set_label ?? state.modelSet}`);
  return [
    part("title", [], () => h("h2", { class: "ltx23aio-title" }, "LTX2.3 AIO")),
    part("hint", [state.selected, state.justAdded], () => h("p", { class: "ltx23aio-hint" }, hint(state))),
    part("modes", [state.selected, state.justAdded], () => modeButtons(state, controller)),
    part("editable", [state.selected], () => editableButtons(state, controller)),
    part("heading", [], () => h("h3", {}, "Model files and examples")),
    // Not on every progress event: an open dropdown would close.
    part("sets", [state.status?.sets, state.status?.broken_sets, JSON.stringify(autoResolution(state.status, state.modelSet, state.selected[0])),
      state.modelSet, state.newNodeSet, state.selectedSets, state.selected],
      () => modelSetPicker(state, controller)),
    part("totals", [totals], () => h("p", { class: "ltx23aio-totals", hidden: !totals }, totals)),
    part("status-error", [state.statusError], () => h("p", { class: "ltx23aio-error", hidden: !state.statusError }, state.statusError ?? "")),
    part("failures", [state.failures], () => failureList(state, controller)),
    ...state.catalog.modes.map((mode) => {
      const open = state.open.has(mode.id);
      const requesting = state.requesting.has(mode.id);
      const status = statusOf(mode.id);
      const cancelling = state.cancelling;
      return part(`mode-${mode.id}`, [status, open, requesting, users, cancelling],
        () => modeSection({ mode, status, open, requesting, context: { users, titleOf, cancelling } }, controller));
    }),
  ];
}

export function renderSidebar(el, controller) {
  const root = h("div", { class: "ltx23aio" });
  el.replaceChildren(root);
  const part = partCache();
  const usersOf = usersMemo();
  const paint = (state) => patchChildren(root, view(state, controller, part, usersOf));
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
