import assert from "node:assert/strict";
import { test } from "node:test";

import { downloadStartedText, failuresFromSnapshot, fileUsers, setTotals, setTotalsText, sharedText, withFailureEvent,
  withoutFailure } from "../../web/lib/downloads.js";
import { applyDownloadEvent, modeSummary } from "../../web/lib/model_status.js";

const f = (name, state, size = 1e9) => ({ name, folder: "loras", state, size, done: 0, total: size, repo: "r" });
const STATUS = {
  modes: [
    { mode: "t2v", set_label: "fp8", files: [f("ckpt", "missing", 29e9), f("up", "present", 1e9)] },
    { mode: "i2v", set_label: "fp8", files: [f("ckpt", "missing", 29e9), f("up", "present", 1e9)] },
    { mode: "style", set_label: "fp8", files: [f("ckpt", "missing", 29e9), f("ic", "missing", null)] },
  ],
};

test("test_withFailureEvent_keeps_a_failure_with_its_reason_and_retry_until_the_file_starts_again", () => {
  let failures = withFailureEvent(new Map(), { file: "ckpt", folder: "loras", state: "error", error: "disk full" }, { mode: "t2v", set: "fp8" });
  assert.deepEqual([...failures.values()], [{ file: "ckpt", folder: "loras", error: "disk full", retry: { mode: "t2v", set: "fp8" } }]);
  failures = withFailureEvent(failures, { file: "other", folder: "loras", state: "downloading", done: 1 });
  assert.equal(failures.size, 1);
  failures = withFailureEvent(failures, { file: "ckpt", folder: "loras", state: "downloading", done: 1 });
  assert.equal(failures.size, 0);
});

test("test_withoutFailure_dismisses_one", () => {
  const failures = withFailureEvent(new Map(), { file: "ckpt", folder: "loras", state: "error", error: "x" });
  assert.equal(withoutFailure(failures, "loras/ckpt").size, 0);
  assert.deepEqual(failures.get("loras/ckpt").retry, { file: "ckpt" });  // a file by name when no request is known
});

test("test_failuresFromSnapshot_keeps_only_how_files_last_ended_in_error", () => {
  const failures = failuresFromSnapshot([{ file: "a", folder: "loras", state: "error", error: "401" },
    { file: "b", folder: "loras", state: "error", error: "x" }, { file: "b", folder: "loras", state: "done" }]);
  assert.deepEqual([...failures.keys()], ["loras/a"]);
});

test("test_setTotals_counts_each_shared_file_once_and_says_what_size_is_unknown", () => {
  const totals = setTotals(STATUS);
  assert.deepEqual(totals, { files: 3, bytes: 30e9, unknown: 1, missing: 2, missingBytes: 29e9, missingUnknown: 1, shared: 2 });
  assert.equal(setTotalsText(totals, "Model set fp8"),
    "Model set fp8: 3 files, 30.0 GB + 1 file of unknown size in all; 2 missing (29.0 GB + 1 file of unknown size). "
    + "Modes share files: each is stored and downloaded once.");
});

test("test_sharedText_names_the_other_modes_that_use_a_file", () => {
  const users = fileUsers(STATUS);
  const titles = { t2v: "Text → Video", i2v: "Image → Video", style: "Style transfer" };
  assert.equal(sharedText(users.get("up"), "t2v", (id) => titles[id]), "also used by Image → Video");
  assert.equal(sharedText(users.get("ic"), "style", (id) => titles[id]), "");
});

test("test_modeSummary_says_when_a_missing_file_has_no_known_size", () => {
  assert.equal(modeSummary(STATUS.modes[2]).text, "2 missing · 29.0 GB + ?");
});

test("test_downloadStartedText_counts_what_starts_and_what_is_there", () => {
  const sizes = { ckpt: 29e9, ic: null };
  assert.equal(downloadStartedText({ downloading: ["ckpt", "ic"], present: ["up"] }, (n) => sizes[n]),
    "Downloading 2 files (29.0 GB + 1 file of unknown size); 1 already present.");
  assert.equal(downloadStartedText({ downloading: [], present: ["up"] }), "Nothing to download; 1 already present.");
});

test("test_applyDownloadEvent_cancelled_leaves_the_file_missing_without_an_error", () => {
  const s = applyDownloadEvent(STATUS, { file: "ckpt", folder: "loras", state: "cancelled", done: 5, total: 29e9 });
  assert.deepEqual([s.modes[0].files[0].state, s.modes[0].files[0].error], ["missing", null]);
});
