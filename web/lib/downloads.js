// Download state that stays: failed downloads are kept (with the reason and what to retry) until
// the user dismisses them, and the model set's files are counted once across the modes that
// share them. Pure functions over the status (GET /ltx23_aio/models/status) and the websocket
// events ("ltx23_aio.download": {file, folder, done, total, state, error?}).

import { formatBytes } from "./format.js";

const key = (file, folder) => `${folder ?? ""}/${file}`;

// failures: Map key → {file, folder, error, retry}; retry is the request body that fetches it again.
export function withFailureEvent(failures, event, retry = null) {
  const k = key(event.file, event.folder);
  if (event.state === "error") {
    const next = new Map(failures);
    next.set(k, { file: event.file, folder: event.folder, error: event.error ?? "the download failed",
      retry: retry ?? failures.get(k)?.retry ?? { file: event.file } });
    return next;
  }
  // Started again, finished or cancelled: the failure is no longer the file's state.
  if (!failures.has(k)) return failures;
  const next = new Map(failures);
  next.delete(k);
  return next;
}

export function withoutFailure(failures, k) {
  const next = new Map(failures);
  next.delete(k);
  return next;
}

// Failures reported by GET /ltx23_aio/models/downloads (how the last downloads ended), for a page
// opened after a download failed.
export function failuresFromSnapshot(events) {
  let failures = new Map();
  for (const e of events ?? []) failures = withFailureEvent(failures, e);
  return failures;
}

// Which modes use each file of the set: name → [mode ids].
export function fileUsers(status) {
  const users = new Map();
  for (const mode of status?.modes ?? []) {
    for (const f of mode.files) users.set(f.name, [...(users.get(f.name) ?? []), mode.mode]);
  }
  return users;
}

// The set as a whole: each file counted once, however many modes need it. Files of unknown size
// are counted, not silently left out of the sum.
export function setTotals(status) {
  const files = new Map();
  for (const mode of status?.modes ?? []) for (const f of mode.files) if (!files.has(f.name)) files.set(f.name, f);
  const all = [...files.values()];
  const missing = all.filter((f) => f.state !== "present");
  const sum = (list) => list.reduce((s, f) => s + (f.size ?? 0), 0);
  const unknown = (list) => list.filter((f) => f.size === null || f.size === undefined).length;
  return { files: all.length, bytes: sum(all), unknown: unknown(all), missing: missing.length,
    missingBytes: sum(missing), missingUnknown: unknown(missing),
    shared: all.filter((f) => (fileUsers(status).get(f.name) ?? []).length > 1).length };
}

const sizeText = (bytes, unknown) => [bytes ? formatBytes(bytes) : null,
  unknown ? `${unknown} file${unknown > 1 ? "s" : ""} of unknown size` : null].filter(Boolean).join(" + ");

export function setTotalsText(totals, label) {
  if (!totals.files) return "";
  const whole = `${label}: ${totals.files} file${totals.files > 1 ? "s" : ""}, ${sizeText(totals.bytes, totals.unknown) || "0 B"} in all`;
  const missing = totals.missing
    ? `${totals.missing} missing (${sizeText(totals.missingBytes, totals.missingUnknown) || "0 B"})` : "all present";
  const shared = totals.shared ? ` Modes share files: each is stored and downloaded once.` : "";
  return `${whole}; ${missing}.${shared}`;
}

// "also in Image → Video, Lipsync" for a file other modes use too.
export function sharedText(users, modeId, titleOf) {
  const others = (users ?? []).filter((m) => m !== modeId);
  if (!others.length) return "";
  return others.length >= 4 ? `shared with ${others.length} other modes` : `also used by ${others.map(titleOf).join(", ")}`;
}

// What the answer to a download request means, in words: the files that start now (and their
// size, from the status), and those the set already has.
export function downloadStartedText(answer, sizeOf = () => null) {
  const started = answer.downloading ?? [];
  const parts = [];
  if (started.length) {
    const sizes = started.map(sizeOf);
    const size = sizeText(sizes.reduce((s, b) => s + (b ?? 0), 0), sizes.filter((b) => b === null || b === undefined).length);
    parts.push(`Downloading ${started.length} file${started.length > 1 ? "s" : ""}${size ? ` (${size})` : ""}`);
  } else parts.push("Nothing to download");
  const present = answer.present?.length ?? 0;
  if (present) parts.push(`${present} already present`);
  return parts.join("; ") + ".";
}
