import assert from "node:assert/strict";
import { test } from "node:test";

import { formatBytes, formatFileSize, percent, progressText } from "../../web/lib/format.js";

test("test_formatBytes_uses_decimal_units", () => {
  assert.equal(formatBytes(29_100_000_000), "29.1 GB");
  assert.equal(formatBytes(995_743_560), "996 MB");
  assert.equal(formatBytes(9_447_702_218), "9.45 GB");
  assert.equal(formatBytes(512), "512 B");
});

test("test_formatFileSize_marks_an_approximate_size", () => {
  assert.equal(formatFileSize({ size: 29_100_000_000, size_exact: false }), "≈29.1 GB");
  assert.equal(formatFileSize({ size: 995_743_560, size_exact: true }), "996 MB");
  assert.equal(formatFileSize({ size: null }), "size unknown");
});

test("test_percent_is_never_100_before_the_last_byte", () => {
  assert.equal(percent(999, 1000), 99);
  assert.equal(percent(1000, 1000), 100);
  assert.equal(percent(0, 1000), 0);
});

test("test_percent_is_unknown_without_a_total", () => {
  assert.equal(percent(10, null), null);
  assert.equal(percent(10, 0), null);
});

test("test_progressText_shows_bytes_and_percent", () => {
  assert.equal(progressText(1_200_000_000, 29_100_000_000), "1.20 GB of 29.1 GB · 4 %");
  assert.equal(progressText(5_000_000, null), "5.00 MB so far");
});
