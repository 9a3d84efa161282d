// One mode in the sidebar: a header with where its files stand, and when open the files, the
// model set in use and why, the download button and the example.

import { formatBytes, formatFileSize } from "../lib/format.js";
import { canDownload, fileView, modeSummary } from "../lib/model_status.js";
import { h } from "./dom.js";

function fileRow(file) {
  const view = fileView(file);
  return h("li", { class: `ltx23aio-file ltx23aio-${view.state}`, dataset: { file: file.name, state: view.state },
    title: file.path ?? file.url ?? "" },
  h("div", { class: "ltx23aio-file-name" }, file.name),
  h("div", { class: "ltx23aio-file-meta" },
    h("span", {}, `${file.folder} · ${formatFileSize(file)}`),
    h("span", { class: "ltx23aio-file-state" }, view.label)),
  view.state === "downloading"
    ? h("progress", { max: 100, value: view.percent ?? 0, dataset: { percent: view.percent ?? "" } }) : null,
  view.detail ? h("div", { class: "ltx23aio-file-detail" }, view.detail) : null);
}

function files(status, requesting, controller, mode) {
  const summary = modeSummary(status);
  const missing = status.files.filter((f) => f.state === "missing" && f.repo);
  const size = missing.reduce((sum, f) => sum + (f.size ?? 0), 0);
  return [
    h("p", { class: "ltx23aio-set" }, "Model set ", h("strong", {}, status.set_label),
      status.reason === "chosen" ? " (chosen above)" : status.reason ? ` — ${status.reason}` : ""),
    h("ul", { class: "ltx23aio-files" }, status.files.map(fileRow)),
    summary.state === "ready" ? null : h("button", {
      class: "ltx23aio-download", dataset: { action: "download" },
      disabled: requesting || !canDownload(status),
      onclick: () => controller.download(mode),
    }, requesting ? "Starting…" : missing.length
      ? `Download ${missing.length} missing file${missing.length > 1 ? "s" : ""}${size ? ` (${formatBytes(size)})` : ""}`
      : "Downloading…"),
  ];
}

export function modeSection({ mode, status, open, requesting }, controller) {
  const summary = status ? modeSummary(status) : null;
  return h("section", { class: "ltx23aio-mode-section" + (open ? " ltx23aio-open" : ""), dataset: { mode: mode.id } },
    h("button", { class: "ltx23aio-mode-header", "aria-expanded": String(open), onclick: () => controller.toggle(mode.id) },
      h("span", { class: "ltx23aio-caret" }, open ? "▾" : "▸"),
      h("span", { class: "ltx23aio-mode-title" }, mode.title),
      summary ? h("span", { class: `ltx23aio-badge ltx23aio-${summary.state}`, dataset: { summary: summary.state } }, summary.text) : null),
    open ? h("div", { class: "ltx23aio-mode-body" },
      h("p", { class: "ltx23aio-note" }, mode.description),
      status ? files(status, requesting, controller, mode) : null,
      h("button", { class: "ltx23aio-example", dataset: { action: "example" }, onclick: () => controller.showExample(mode) },
        "Open example workflow")) : null);
}
