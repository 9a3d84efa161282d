import assert from "node:assert/strict";
import { test } from "node:test";

import { columns, depths, editableMessage, expandRequest, layout, nodePlan, outerLinks } from "../../web/lib/editable.js";
import { modeCatalog } from "../../web/lib/modes.js";
import { nodeMenuItems } from "../../web/ui/node_menu.js";
import { MODES_PAYLOAD } from "./fixtures.js";

const catalog = modeCatalog(MODES_PAYLOAD);
const I2V = catalog.byId.get("i2v");

// A small graph in the server's shape (API format, readable ids).
const GRAPH = {
  load: { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "m.safetensors" } },
  noise: { class_type: "RandomNoise", inputs: { noise_seed: null } },
  text: { class_type: "CLIPTextEncode", inputs: { text: "a fox", clip: ["load", 1] } },
  resize: { class_type: "ResizeImageMaskNode", inputs: { input: null, "resize_type.width": 64, resize_type: "scale dimensions" } },
  sample: { class_type: "SamplerCustomAdvanced", inputs: { noise: ["noise", 0], guider: ["text", 0], latent_image: ["resize", 0] } },
  decode: { class_type: "VAEDecode", inputs: { samples: ["sample", 0], vae: ["load", 2] } },
};

test("test_expandRequest_sends_values_wired_inputs_and_readable_primitive_values", () => {
  const node = {
    widgets: [{ name: "prompt", value: "a fox" }, { name: "seed", value: 3 }, { name: "control_after_generate", value: "fixed" },
      { name: "width", value: 512 }, { name: "image", value: "a.png" }, { name: "upload image…", value: undefined, type: "button" }],
    inputs: [{ name: "image_input", link: 4, origin: { type: "LoadImage" } }, { name: "seed", link: 5, origin: { type: "PrimitiveInt", value: 77 } },
      { name: "width", link: null }],
  };
  assert.deepEqual(expandRequest(I2V, node), {
    mode: "i2v",
    values: { prompt: "a fox", seed: 3, width: 512, image: "a.png" },
    wired: { image_input: true, seed: true },
    primitives: { seed: 77 },
  });
});

test("test_depths_put_every_node_right_of_what_feeds_it", () => {
  const d = depths(GRAPH);
  // noise and resize take no link: each sits just left of the sampler, its only consumer.
  assert.deepEqual(Object.fromEntries(d), { load: 0, noise: 1, text: 1, resize: 1, sample: 2, decode: 3 });
  assert.throws(() => depths({ a: { inputs: { x: ["b", 0] } }, b: { inputs: { y: ["a", 0] } } }), /cycle/);
});

test("test_columns_order_nodes_by_where_their_inputs_come_from", () => {
  const graph = {
    a: { inputs: {} }, b: { inputs: {} },
    fromB: { inputs: { x: ["b", 0] } }, fromA: { inputs: { x: ["a", 0] } },
  };
  assert.deepEqual(columns(graph), [["a", "b"], ["fromA", "fromB"]]);
});

test("test_layout_stacks_columns_left_to_right_without_overlap", () => {
  const sizes = new Map([["a", [100, 50]], ["b", [200, 80]], ["c", [150, 60]]]);
  const pos = layout([["a", "b"], ["c"]], sizes, [10, 20], [60, 40], 30);
  assert.deepEqual(Object.fromEntries(pos), { a: [10, 20], b: [10, 20 + 50 + 30 + 40], c: [10 + 200 + 60, 20] });
});

test("test_nodePlan_sets_a_dynamic_combo_before_the_inputs_it_adds_and_leaves_wired_inputs_empty", () => {
  const plan = Object.fromEntries(nodePlan(GRAPH).map((n) => [n.id, n]));
  assert.deepEqual(plan.resize.widgets, [["resize_type", "scale dimensions"], ["resize_type.width", 64]]);
  assert.deepEqual(plan.noise.widgets, []); // noise_seed is where the wired seed enters
  assert.deepEqual(plan.text.links, [{ input: "clip", from: "load", slot: 1 }]);
  assert.equal(plan.sample.type, "SamplerCustomAdvanced");
});

test("test_outerLinks_moves_upstream_links_to_each_use_and_outputs_to_their_targets", () => {
  const answer = { inputs: { seed: [["noise", "noise_seed"]], image_input: [["resize", "input"], ["other", "image"]] },
    outputs: { video: ["save", 0], images: ["decode", 0], audio: ["audio", 0] } };
  const links = outerLinks(answer, { seed: { origin_id: 7, origin_slot: 0 }, image_input: { origin_id: 8, origin_slot: 1 } },
    { images: [{ target_id: 9, target_slot: 0 }, { target_id: 10, target_slot: 2 }], video: [] });
  assert.deepEqual(links, [
    { name: "seed", from: { node: 7, slot: 0 }, to: { id: "noise", input: "noise_seed" } },
    { name: "image_input", from: { node: 8, slot: 1 }, to: { id: "resize", input: "input" } },
    { name: "image_input", from: { node: 8, slot: 1 }, to: { id: "other", input: "image" } },
    { name: "images", from: { id: "decode", slot: 0 }, to: { node: 9, slot: 0 } },
    { name: "images", from: { id: "decode", slot: 0 }, to: { node: 10, slot: 2 } },
  ]);
  assert.throws(() => outerLinks({ inputs: { seed: [] }, outputs: {} }, {}, {}), /links seed, which is not wired/);
});

test("test_editableMessage_warns_when_a_link_was_dropped_or_files_are_missing", () => {
  const ok = editableMessage({ dropped: [], notes: [] }, "Image → Video");
  assert.equal(ok.severity, "success");
  assert.match(ok.detail, /Ctrl\+Z brings the AIO node back/);
  const dropped = editableMessage({ dropped: ["width"], notes: ["width: the wired value 768 is built into the graph"] }, "T");
  assert.equal(dropped.severity, "warn");
  assert.match(dropped.detail, /width: the wired value 768/);
  assert.equal(editableMessage({ dropped: [], notes: ["2 model file(s) are not on this machine yet"] }, "T").severity, "warn");
});

test("test_node_menu_offers_open_as_editable_nodes", () => {
  const opened = [];
  const controller = { store: { get: () => ({ catalog }) }, switchNode: () => {}, openEditable: (n) => opened.push(n) };
  const node = { comfyClass: "LTX23AIO_ImageToVideo" };
  const item = nodeMenuItems(node, controller).find((i) => i.content === "Open as editable nodes");
  item.callback();
  assert.deepEqual(opened, [node]);
});
