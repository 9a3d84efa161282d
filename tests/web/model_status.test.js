import assert from "node:assert/strict";
import { test } from "node:test";

import { applyDownloadEvent, canDownload, fileView, modeSummary, withQueued } from "../../web/lib/model_status.js";

const file = (name, state, extra = {}) => ({ name, folder: "loras", repo: "Lightricks/LTX-2.3", size: 1000,
  size_exact: true, state, done: state === "present" ? 1000 : 0, total: 1000, error: null, ...extra });

const status = () => ({
  modes: [
    { mode: "t2v", files: [file("lora.safetensors", "missing"), file("up.safetensors", "present")], complete: false, missing_bytes: 1000 },
    { mode: "style", files: [file("lora.safetensors", "missing")], complete: false, missing_bytes: 1000 },
    { mode: "i2v", files: [file("up.safetensors", "present")], complete: true, missing_bytes: 0 },
  ],
});

test("test_applyDownloadEvent_marks_the_file_downloading_in_every_mode", () => {
  const s = applyDownloadEvent(status(), { file: "lora.safetensors", folder: "loras", done: 250, total: 1000, state: "downloading" });
  assert.deepEqual(s.modes.map((m) => m.files[0].state), ["downloading", "downloading", "present"]);
  assert.equal(s.modes[0].files[0].done, 250);
  assert.equal(s.modes[0].missing_bytes, 750);
});

test("test_applyDownloadEvent_done_makes_the_mode_complete", () => {
  const s = applyDownloadEvent(status(), { file: "lora.safetensors", folder: "loras", done: 1000, total: 1000, state: "done" });
  assert.equal(s.modes[0].complete, true);
  assert.equal(s.modes[0].missing_bytes, 0);
});

test("test_applyDownloadEvent_error_leaves_the_file_missing_with_the_reason", () => {
  const s = applyDownloadEvent(status(), { file: "lora.safetensors", folder: "loras", done: 10, total: 1000, state: "error", error: "disk full" });
  assert.equal(s.modes[1].files[0].state, "missing");
  assert.equal(fileView(s.modes[1].files[0]).detail, "last try failed: disk full");
});

test("test_applyDownloadEvent_ignores_a_file_of_another_folder", () => {
  const before = status();
  const s = applyDownloadEvent(before, { file: "lora.safetensors", folder: "checkpoints", done: 1, total: 1000, state: "downloading" });
  assert.deepEqual(s, before);
});

test("test_fileView_shows_progress_while_downloading", () => {
  const view = fileView(file("x", "downloading", { done: 500, total: 1000 }));
  assert.equal(view.percent, 50);
  assert.equal(view.label, "500 B of 1.00 KB · 50 %");
});

test("test_fileView_says_when_a_missing_file_has_no_download_source", () => {
  assert.equal(fileView(file("x", "missing", { repo: null })).detail, "no download source: put it in models/loras/");
});

test("test_modeSummary_is_ready_when_every_file_is_present", () => {
  assert.deepEqual(modeSummary(status().modes[2]), { state: "ready", text: "ready" });
});

test("test_modeSummary_counts_missing_files_and_bytes", () => {
  assert.deepEqual(modeSummary(status().modes[0]), { state: "missing", text: "1 missing · 1.00 KB" });
});

test("test_modeSummary_shows_how_much_of_the_modes_bytes_are_there", () => {
  const s = applyDownloadEvent(status(), { file: "lora.safetensors", folder: "loras", done: 400, total: 1000, state: "downloading" });
  assert.deepEqual(modeSummary(s.modes[0]), { state: "downloading", text: "downloading · 70 %" });
});

test("test_modeSummary_counts_a_queued_file_as_downloading", () => {
  const s = withQueued(status(), new Set(["lora.safetensors"]));
  assert.deepEqual(modeSummary(s.modes[0]), { state: "downloading", text: "downloading · 50 %" });
});

test("test_withQueued_marks_only_missing_files", () => {
  const s = withQueued(applyDownloadEvent(status(), { file: "lora.safetensors", folder: "loras", done: 1, total: 1000,
    state: "downloading" }), new Set(["lora.safetensors", "up.safetensors"]));
  assert.deepEqual(s.modes[0].files.map((f) => f.state), ["downloading", "present"]);
});

test("test_withQueued_keeps_unaffected_modes_as_they_are", () => {
  const before = status();
  const s = withQueued(before, new Set(["lora.safetensors"]));
  assert.equal(s.modes[2], before.modes[2]);
  assert.equal(s.modes[1].files[0].state, "queued");
});

test("test_fileView_says_a_queued_file_waits", () => {
  assert.equal(fileView(file("x", "queued")).label, "waiting to download");
});

test("test_canDownload_needs_a_missing_file_with_a_repo", () => {
  assert.equal(canDownload(status().modes[0]), true);
  assert.equal(canDownload({ files: [file("x", "missing", { repo: null })] }), false);
  assert.equal(canDownload(status().modes[2]), false);
});
