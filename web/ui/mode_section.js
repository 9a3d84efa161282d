// One mode in the sidebar: a header with where its files stand, and when open the files, the
// model set in use and why, the download button and the example.

import { sharedText } from "../lib/downloads.js";
import { formatBytes, formatFileSize } from "../lib/format.js";
import { canDownload, fileView, modeSummary } from "../lib/model_status.js";
import { h } from "./dom.js";

// A file name breaks only after its separators ("-", "_", ".", "/"), never mid-word.
function breakable(name) {
  return String(name).split(/(?<=[-_./])/).flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}

function fileRow(file, { shared, cancelling, controller }) {
  const view = fileView(file);
  return h("li", { class: `ltx23aio-file ltx23aio-${view.state}`, dataset: { file: file.name, state: view.state },
    title: file.path ?? file.url ?? "" },
  h("div", { class: "ltx23aio-file-name" }, breakable(file.name)),
  h("div", { class: "ltx23aio-file-meta" },
    h("span", {}, `${file.folder} · ${formatFileSize(file)}`),
    h("span", { class: "ltx23aio-file-state" }, view.label)),
  view.state === "downloading"
    ? h("div", { class: "ltx23aio-file-progress" },
      h("progress", { max: 100, value: view.percent ?? 0, dataset: { percent: view.percent ?? "" } }),
      h("button", { class: "ltx23aio-cancel", dataset: { action: "cancel" }, disabled: cancelling,
        title: `Stop downloading ${file.name}; what has arrived is kept for a later resume`,
        onclick: () => controller.cancel(file.name) }, cancelling ? "Cancelling…" : "Cancel"))
    : null,
  view.detail ? h("div", { class: "ltx23aio-file-detail" }, view.detail) : null,
  shared ? h("div", { class: "ltx23aio-file-shared" }, shared) : null);
}

function files(status, requesting, controller, mode, context) {
  const summary = modeSummary(status);
  const missing = status.files.filter((f) => f.state === "missing" && f.repo);
  const size = missing.reduce((sum, f) => sum + (f.size ?? 0), 0);
  return [
    h("p", { class: "ltx23aio-set" }, "Model set ", h("strong", {}, status.set_label),
      status.reason === "chosen" ? " (chosen above)" : status.reason ? ` — ${status.reason}` : ""),
    h("ul", { class: "ltx23aio-files" }, status.files.map((f) => fileRow(f, {
      shared: sharedText(context.users.get(f.name), mode.id, context.titleOf),
      cancelling: context.cancelling.has(f.name), controller }))),
    summary.state === "ready" ? null : h("button", {
      class: "ltx23aio-download", dataset: { action: "download" },
      disabled: requesting || !canDownload(status),
      onclick: () => controller.download(mode),
    }, requesting ? "Starting…" : missing.length
      ? `Download ${missing.length} missing file${missing.length > 1 ? "s" : ""}${size ? ` (${formatBytes(size)}${
        missing.some((f) => f.size === null || f.size === undefined) ? " + unknown" : ""})` : ""}`
      : "Downloading…"),
  ];
}

// context: {users: file name → mode ids, titleOf: id → title, cancelling: Set of file names}
export function modeSection({ mode, status, open, requesting, context }, controller) {
  const summary = status ? modeSummary(status) : null;
  return h("section", { class: "ltx23aio-mode-section" + (open ? " ltx23aio-open" : ""), dataset: { mode: mode.id } },
    h("button", { class: "ltx23aio-mode-header", "aria-expanded": String(open), onclick: () => controller.toggle(mode.id) },
      h("span", { class: "ltx23aio-caret" }, open ? "▾" : "▸"),
      h("span", { class: "ltx23aio-mode-title" }, mode.title),
      summary ? h("span", { class: `ltx23aio-badge ltx23aio-${summary.state}`, dataset: { summary: summary.state } }, summary.text) : null),
    open ? h("div", { class: "ltx23aio-mode-body" },
      h("p", { class: "ltx23aio-note" }, mode.description),
      status ? files(status, requesting, controller, mode, context) : null,
      h("button", { class: "ltx23aio-example", dataset: { action: "example" }, onclick: () => controller.showExample(mode) },
        "Open example workflow")) : null);
}
