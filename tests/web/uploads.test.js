import assert from "node:assert/strict";
import { test } from "node:test";

import { NO_FILE, mediaWidgets, optionLabel, resultPath, storedName, viewPath } from "../../web/lib/uploads.js";

const LIPSYNC = {
  name: "LTX23AIO_Lipsync",
  input: {
    required: { prompt: ["STRING", { multiline: true }], width: ["INT", { default: 1280 }] },
    optional: {
      image: ["COMBO", { image_upload: true, options: ["portrait.png"] }],
      image_input: ["IMAGE", { lazy: true, rawLink: true }],
      audio: ["COMBO", { audio_upload: true, options: [] }],
      audio_input: ["AUDIO", { lazy: true, rawLink: true }],
    },
  },
};

test("test_mediaWidgets_finds_every_upload_combo_required_or_optional", () => {
  assert.deepEqual(mediaWidgets(LIPSYNC), [
    { name: "image", kind: "image", accept: "image/*", label: "upload image…" },
    { name: "audio", kind: "audio", accept: "audio/*,video/*", label: "upload audio…" },
  ]);
});

test("test_mediaWidgets_reads_video_and_names_in_words", () => {
  const style = { input: { optional: { style_image: ["COMBO", { image_upload: true }], video: ["COMBO", { video_upload: true }] } } };
  assert.deepEqual(mediaWidgets(style).map((m) => [m.label, m.accept]),
    [["upload style image…", "image/*"], ["upload video…", "video/*"]]);
});

test("test_mediaWidgets_is_empty_for_a_node_without_media", () => {
  assert.deepEqual(mediaWidgets({ input: { required: { prompt: ["STRING", {}] } } }), []);
  assert.deepEqual(mediaWidgets(undefined), []);
});

test("test_storedName_keeps_the_subfolder_comfyui_chose", () => {
  assert.equal(storedName({ name: "a.png", subfolder: "" }), "a.png");
  assert.equal(storedName({ name: "a (1).png", subfolder: "clips" }), "clips/a (1).png");
});

test("test_viewPath_addresses_the_input_folder_and_its_subfolder", () => {
  assert.equal(viewPath("portrait.png"), "/view?filename=portrait.png&type=input&subfolder=");
  assert.equal(viewPath("clips/a b.mp4"), "/view?filename=a+b.mp4&type=input&subfolder=clips");
  assert.equal(viewPath(undefined), null);
  assert.equal(viewPath(""), null);
});

test("test_optionLabel_reads_empty_for_no_file", () => {
  assert.equal(optionLabel(undefined), NO_FILE);
  assert.equal(optionLabel(null), NO_FILE);
  assert.equal(optionLabel("a.png"), "a.png");
});

test("test_resultPath_names_a_saved_output_file_for_view", () => {
  assert.equal(resultPath({ filename: "t2a_00001_.flac", subfolder: "LTX2.3-AIO", type: "output" }),
    "/view?filename=t2a_00001_.flac&type=output&subfolder=LTX2.3-AIO");
  assert.equal(resultPath({ filename: "a.flac" }), "/view?filename=a.flac&type=output&subfolder=");
  assert.equal(resultPath(undefined), null);
});
