import assert from "node:assert/strict";
import { test } from "node:test";

import { modeCatalog } from "../../web/lib/modes.js";
import { mediaCounterparts, planModeSwitch, switchMessage, typesFit } from "../../web/lib/switch.js";
import { MODES_PAYLOAD, defaultsOf, node } from "./fixtures.js";

const catalog = modeCatalog(MODES_PAYLOAD);

function plan(from, to, source) {
  return planModeSwitch({
    source, target: node(to),
    defaults: { source: defaultsOf(from), target: defaultsOf(to) },
    media: { source: catalog.byId.get(from).media, target: catalog.byId.get(to).media },
  });
}

test("test_planModeSwitch_keeps_changed_shared_values", () => {
  const values = { prompt: "a fox", negative_prompt: "blur", width: 768, height: 512, duration: 3, fps: 25, seed: 7,
    preset: "Quality", models: "tiny" };
  const p = plan("i2v", "lipsync", node("i2v", { values }));
  for (const [name, value] of Object.entries(values)) assert.equal(p.values.get(name), value, name);
});

test("test_planModeSwitch_leaves_a_value_at_its_default_to_the_new_mode", () => {
  const p = plan("i2v", "lipsync", node("i2v"));
  assert.equal(p.values.has("filename_prefix"), false);
});

test("test_planModeSwitch_keeps_a_changed_filename_prefix", () => {
  const p = plan("i2v", "lipsync", node("i2v", { values: { filename_prefix: "shots/one" } }));
  assert.equal(p.values.get("filename_prefix"), "shots/one");
});

test("test_planModeSwitch_keeps_an_image_link_into_the_same_socket", () => {
  const p = plan("i2v", "lipsync", node("i2v", { links: { image_input: 5 } }));
  assert.deepEqual(p.links, [{ link: 5, from: "image_input", to: "image_input" }]);
  assert.deepEqual(p.dropped, []);
});

test("test_planModeSwitch_moves_an_image_to_the_first_free_image_input", () => {
  const p = plan("i2v", "keyframe", node("i2v", { values: { image: "b.png" }, links: { image_input: 5 } }));
  assert.deepEqual(p.links, [{ link: 5, from: "image_input", to: "first_image_input" }]);
  assert.equal(p.values.get("first_image"), "b.png");
  assert.deepEqual(p.moved, [{ from: "image_input", to: "first_image_input" }]);
});

test("test_planModeSwitch_leaves_a_chooser_it_has_no_file_for_empty", () => {
  assert.deepEqual(plan("i2v", "keyframe", node("i2v", { values: { image: "b.png" } })).emptied, ["last_image"]);
  assert.deepEqual(plan("i2v", "lipsync", node("i2v")).emptied, ["audio"]);
  assert.deepEqual(plan("lipsync", "keyframe", node("lipsync")).emptied, ["last_image"]);
  assert.deepEqual(plan("keyframe", "t2v", node("keyframe")).emptied, []);
  // A chooser that was empty stays empty too.
  const empty = node("i2v");
  empty.widgets.find((w) => w.name === "image").value = null;
  assert.deepEqual(plan("i2v", "keyframe", empty).emptied, ["first_image", "last_image"]);
});

test("test_planModeSwitch_drops_a_link_the_new_mode_has_no_input_for", () => {
  const p = plan("lipsync", "i2v", node("lipsync", { links: { image_input: 5, audio_input: 6 } }));
  assert.deepEqual(p.links.map((l) => l.to), ["image_input"]);
  assert.deepEqual(p.dropped, [{ name: "audio_input", type: "AUDIO" }]);
});

test("test_planModeSwitch_keeps_a_link_into_a_shared_widget_input", () => {
  const p = plan("i2v", "t2v", node("i2v", { links: { seed: 9 } }));
  assert.deepEqual(p.links, [{ link: 9, from: "seed", to: "seed" }]);
});

test("test_planModeSwitch_skips_a_choice_the_new_node_does_not_offer", () => {
  const p = plan("i2v", "lipsync", node("i2v", { values: { models: "gone" } }));
  assert.equal(p.values.has("models"), false);
});

test("test_planModeSwitch_reconnects_outputs_by_name", () => {
  const p = plan("i2v", "t2v", node("i2v", { outLinks: { video: [3, 4], audio: [8] } }));
  assert.deepEqual(p.outputs, [{ links: [3, 4], from: "video", to: "video" }, { links: [8], from: "audio", to: "audio" }]);
});

test("test_mediaCounterparts_prefers_the_same_name_then_the_same_kind", () => {
  const pairs = mediaCounterparts(catalog.byId.get("lipsync").media, catalog.byId.get("keyframe").media);
  assert.deepEqual([...pairs].map(([from, to]) => [from, to.name]), [["image", "first_image"]]);
});

test("test_typesFit_accepts_alternatives_and_any", () => {
  assert.equal(typesFit("IMAGE", "IMAGE,MASK"), true);
  assert.equal(typesFit("*", "AUDIO"), true);
  assert.equal(typesFit("IMAGE", "AUDIO"), false);
});

test("test_switchMessage_warns_when_links_were_dropped", () => {
  const p = plan("lipsync", "i2v", node("lipsync", { links: { audio_input: 6 } }));
  const message = switchMessage(p, "Lipsync", "Image → Video");
  assert.equal(message.severity, "warn");
  assert.match(message.detail, /audio_input \(AUDIO\)/);
});

test("test_switchMessage_reports_success_when_everything_fits", () => {
  const message = switchMessage(plan("i2v", "lipsync", node("i2v", { links: { image_input: 5 } })), "Image → Video", "Lipsync");
  assert.equal(message.severity, "success");
});

test("test_switchMessage_names_the_inputs_that_moved", () => {
  const message = switchMessage(plan("i2v", "keyframe", node("i2v", { links: { image_input: 5 } })), "Image → Video",
    "First/Last frame → Video");
  assert.equal(message.summary, "Switched to First/Last frame → Video");
  assert.match(message.detail, /Moved: image_input to first_image_input\./);
});

test("test_planModeSwitch_carries_an_uploaded_image_the_target_list_does_not_offer_yet", () => {
  const p = plan("i2v", "keyframe", node("i2v", { values: { image: "just-uploaded.png" } }));
  assert.equal(p.values.get("first_image"), "just-uploaded.png");
  assert.deepEqual(p.droppedValues, []);
});

test("test_planModeSwitch_names_changed_settings_and_files_the_target_has_no_place_for", () => {
  const p = plan("lipsync", "t2v", node("lipsync", { values: { image_strength: 0.55, audio: "s.mp3" } }));
  assert.deepEqual(p.droppedValues.map((d) => d.name).sort(), ["audio", "image", "image_strength"]);
  const message = switchMessage(p, "Lipsync", "Text → Video");
  assert.equal(message.severity, "warn");
  assert.match(message.detail, /Not used by Text → Video: .*image_strength = 0.55/);
  assert.doesNotMatch(message.detail, /Settings and links kept/);
});

test("test_planModeSwitch_does_not_name_a_setting_left_at_its_default", () => {
  const p = plan("i2v", "t2v", node("i2v", { values: { image: "" } }));
  assert.deepEqual(p.droppedValues, []);
  assert.equal(switchMessage(p, "Image → Video", "Text → Video").severity, "success");
});

test("test_switchMessage_names_a_choice_the_new_node_does_not_offer", () => {
  const p = plan("i2v", "lipsync", node("i2v", { values: { models: "gone" } }));
  assert.match(switchMessage(p, "Image → Video", "Lipsync").detail, /Not offered by Lipsync, left at its default: models = gone/);
});

test("test_planModeSwitch_carries_lora_rows_with_their_count_and_names_keyframe_rows_it_drops", () => {
  const counts = ["0", "1", "2"];
  const loras = [{ name: "loras", value: "1", values: counts }, { name: "loras.lora_name1", value: "cam.safetensors",
    values: ["cam.safetensors"] }, { name: "loras.lora_strength1", value: 0.6 }];
  const source = node("keyframe");
  source.widgets.push({ name: "keyframes", value: "3", values: ["2", "3"] }, { name: "keyframes.image2", value: "c.png" },
    { name: "keyframes.time2", value: 2.5 }, ...loras);
  const target = node("i2v");
  target.widgets.push({ name: "loras", value: "0", values: counts });
  const p = planModeSwitch({
    source, target, defaults: { source: { ...defaultsOf("keyframe"), keyframes: "2", loras: "0" },
      target: { ...defaultsOf("i2v"), loras: "0" } },
    media: { source: catalog.byId.get("keyframe").media, target: catalog.byId.get("i2v").media },
  });
  assert.deepEqual([...p.values].filter(([name]) => name.startsWith("loras")),
    [["loras", "1"], ["loras.lora_name1", "cam.safetensors"], ["loras.lora_strength1", 0.6]]);
  assert.deepEqual(p.droppedValues.filter((d) => d.name.startsWith("keyframes")).map((d) => d.name),
    ["keyframes", "keyframes.image2", "keyframes.time2"]);
});
