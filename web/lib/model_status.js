// Where a mode's model files stand: the answer of GET /ltx23_aio/models/status, kept current by
// the websocket event "ltx23_aio.download" ({file, folder, done, total, state, error?}).

import { formatBytes, percent, progressText } from "./format.js";

const sameFile = (file, event) => file.name === event.file && file.folder === event.folder;

function withEvent(file, event) {
  if (!sameFile(file, event)) return file;
  if (event.state === "downloading") {
    return { ...file, state: "downloading", done: event.done, total: event.total ?? file.total, error: null };
  }
  if (event.state === "done") {
    return { ...file, state: "present", done: event.total ?? file.size, total: event.total ?? file.total, error: null };
  }
  if (event.state === "cancelled") return { ...file, state: "missing", done: 0, error: null };
  return { ...file, state: "missing", done: 0, error: event.error ?? "the download failed" };
}

function missingBytes(files) {
  return files.filter((f) => f.state !== "present").reduce((sum, f) => sum + Math.max(0, (f.size ?? 0) - (f.done ?? 0)), 0);
}

export function applyDownloadEvent(status, event) {
  if (!status) return status;
  return {
    ...status,
    modes: status.modes.map((mode) => {
      if (!mode.files.some((f) => sameFile(f, event))) return mode;
      const files = mode.files.map((f) => withEvent(f, event));
      return { ...mode, files, complete: files.every((f) => f.state === "present"), missing_bytes: missingBytes(files) };
    }),
  };
}

// Files a download request accepted that have not started yet: the server still calls them
// missing, but the user asked for them already.
export function withQueued(status, queued) {
  if (!status || !queued.size) return status;
  return {
    ...status,
    modes: status.modes.map((mode) => (mode.files.some((f) => f.state === "missing" && queued.has(f.name))
      ? { ...mode, files: mode.files.map((f) => (f.state === "missing" && queued.has(f.name) ? { ...f, state: "queued" } : f)) }
      : mode)),
  };
}

const SOURCES = { models: "in ComfyUI's models folder", hf_cache: "linked from the Hugging Face cache" };

export function fileView(file) {
  if (file.state === "present") {
    return { state: "present", label: "present", detail: SOURCES[file.source] ?? "", percent: 100 };
  }
  if (file.state === "downloading") {
    return { state: "downloading", label: progressText(file.done ?? 0, file.total), detail: "",
      percent: percent(file.done ?? 0, file.total) };
  }
  if (file.state === "queued") return { state: "queued", label: "waiting to download", detail: "", percent: 0 };
  return { state: "missing", label: "missing", percent: null,
    detail: file.error ? `last try failed: ${file.error}`
      : file.repo ? "" : `no download source: put it in models/${file.folder}/` };
}

// One line per mode: ready, what is missing, or how much of its files is there while downloading
// (of all its bytes, so the number only grows as one file after another arrives).
export function modeSummary(mode) {
  const pending = mode.files.filter((f) => f.state !== "present");
  if (!pending.length) return { state: "ready", text: "ready" };
  if (pending.some((f) => f.state === "downloading" || f.state === "queued")) {
    const size = (f) => f.total ?? f.size ?? 0;
    const done = mode.files.reduce((sum, f) => sum + (f.state === "present" ? size(f) : f.done ?? 0), 0);
    const p = percent(done, mode.files.reduce((sum, f) => sum + size(f), 0));
    return { state: "downloading", text: `downloading${p === null ? "" : ` · ${p} %`}` };
  }
  const size = mode.missing_bytes ?? missingBytes(mode.files);
  // A file of unknown size is said, not silently left out of the sum.
  const unknown = pending.some((f) => f.size === null || f.size === undefined);
  const sizeText = [size ? formatBytes(size) : null, unknown ? "+ ?" : null].filter(Boolean).join(" ");
  return { state: "missing", text: `${pending.length} missing${sizeText ? ` · ${sizeText}` : ""}` };
}

export function canDownload(mode) {
  return mode.files.some((f) => f.state === "missing" && f.repo);
}
