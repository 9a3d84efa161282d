import assert from "node:assert/strict";
import { test } from "node:test";

import { shownOrder, toSavedValues, toShownValues } from "../../web/lib/widget_order.js";

// Lipsync as ComfyUI creates it: required widgets, then the optional media choosers; the pack
// adds an upload button and a preview per medium (not saved).
function lipsync() {
  const w = (name, value, serialize) => ({ name, value, ...(serialize === false ? { serialize } : {}) });
  const created = [w("prompt", ""), w("image_strength", 0.7), w("seed", 0), w("control_after_generate", "randomize"),
    w("image", "portrait.png"), w("audio", "speech.wav")];
  const [prompt, strength, seed, control, image, audio] = created;
  const extra = { imageButton: w("upload image…", null, false), imagePreview: w("image preview", "", false),
    audioButton: w("upload audio…", null, false), audioPreview: w("audio preview", "", false) };
  const added = [...created, extra.imageButton, extra.imagePreview, extra.audioButton, extra.audioPreview];
  const groups = [[image, extra.imageButton, extra.imagePreview], [audio, extra.audioButton, extra.audioPreview]];
  return { created, added, groups, prompt, strength, seed, control, image, audio, ...extra };
}

// What ComfyUI 1.45's LGraphNode.serialize writes: widgets_values[i] for the i-th widget, none
// for one that is not saved.
function comfySerialize(widgets) {
  const out = [];
  for (const [i, w] of widgets.entries()) if (w.serialize !== false) out[i] = w.value ?? null;
  return out;
}

// What its configure does: the saved widgets in turn take the values until they run out.
function comfyConfigure(widgets, values) {
  let k = 0;
  for (const w of widgets) {
    if (w.serialize === false) continue;
    if (k >= values.length) break;
    w.value = values[k++];
  }
}

test("test_shownOrder_puts_each_mediums_chooser_button_and_preview_first", () => {
  const n = lipsync();
  assert.deepEqual(shownOrder(n.added, n.groups).map((w) => w.name), ["image", "upload image…", "image preview",
    "audio", "upload audio…", "audio preview", "prompt", "image_strength", "seed", "control_after_generate"]);
});

test("test_shownOrder_ignores_a_group_member_the_node_does_not_hold", () => {
  const n = lipsync();
  const stray = { name: "stray" };
  assert.deepEqual(shownOrder(n.added, [[n.image, stray]]).map((w) => w.name).slice(0, 2), ["image", "prompt"]);
});

test("test_values_are_saved_in_the_definitions_order_whatever_the_order_shown", () => {
  const n = lipsync();
  const shown = shownOrder(n.added, n.groups);
  const saved = toSavedValues(shown, n.created, comfySerialize(shown));
  assert.deepEqual(saved, ["", 0.7, 0, "randomize", "portrait.png", "speech.wav"]);
  assert.deepEqual(saved, comfySerialize(n.created));  // what the node saved before it showed media first
});

test("test_a_workflow_saved_in_the_definitions_order_loads_every_value_into_its_widget", () => {
  const n = lipsync();
  const shown = shownOrder(n.added, n.groups);
  const values = ["waves", 0.4, 7, "fixed", "mine.png", "song.mp3"];
  comfyConfigure(shown, toShownValues(shown, n.created, values));
  assert.deepEqual(Object.fromEntries(n.created.map((w) => [w.name, w.value])),
    { prompt: "waves", image_strength: 0.4, seed: 7, control_after_generate: "fixed", image: "mine.png", audio: "song.mp3" });
  assert.equal(n.imageButton.value, null);  // buttons and previews take no value
  assert.deepEqual(toSavedValues(shown, n.created, comfySerialize(shown)), values);  // and saves them back as loaded
});

test("test_a_short_saved_list_leaves_the_widgets_past_its_end_as_they_are", () => {
  const n = lipsync();
  const shown = shownOrder(n.added, n.groups);
  // Saved before the audio input existed: four values; the image chooser has none either.
  comfyConfigure(shown, toShownValues(shown, n.created, ["waves", 0.4, 7, "fixed"]));
  assert.deepEqual(n.created.map((w) => w.value), ["waves", 0.4, 7, "fixed", "portrait.png", "speech.wav"]);
  assert.deepEqual(toShownValues(shown, n.created, []), []);
});

test("test_a_widget_added_later_by_another_extension_is_saved_after_the_definitions_own", () => {
  const n = lipsync();
  const later = { name: "note", value: "hi" };
  const shown = [...shownOrder(n.added, n.groups), later];
  const saved = toSavedValues(shown, n.created, comfySerialize(shown));
  assert.deepEqual(saved.slice(-2), ["speech.wav", "hi"]);
  later.value = "";
  comfyConfigure(shown, toShownValues(shown, n.created, saved));
  assert.equal(later.value, "hi");
});

// A list (core's DynamicCombo) whose count adds its rows right after it when set, as ComfyUI does.
function withLoras() {
  const n = lipsync();
  const loras = { name: "loras", value: "0", ltx23aioRows: true };
  const node = { created: [...n.created, loras], shown: [...shownOrder(n.added, n.groups), loras] };
  Object.defineProperty(loras, "value", {
    get() { return this._v ?? "0"; },
    set(v) {
      this._v = v;
      const at = node.shown.indexOf(loras);
      node.shown.splice(at + 1, node.shown.filter((w) => w.name.startsWith("loras.")).length,
        ...Array.from({ length: Number(v) }, (_, i) => [{ name: `loras.lora_name${i + 1}`, value: "a.safetensors" },
          { name: `loras.lora_strength${i + 1}`, value: 1 }]).flat());
    },
  });
  return { n, loras, node };
}

test("test_list_rows_are_saved_after_their_count_and_load_back_into_the_rows_the_count_adds", () => {
  const { node } = withLoras();
  node.shown.find((w) => w.name === "loras").value = "1";
  node.shown.find((w) => w.name === "loras.lora_name1").value = "cam.safetensors";
  node.shown.find((w) => w.name === "loras.lora_strength1").value = 0.5;
  node.shown.find((w) => w.name === "prompt").value = "a fox";
  const saved = toSavedValues(node.shown, node.created, comfySerialize(node.shown));
  assert.deepEqual(saved.slice(-4), ["speech.wav", "1", "cam.safetensors", 0.5]);

  const fresh = withLoras().node;  // a new node: no rows yet
  const values = toShownValues(fresh.shown, fresh.created, saved);
  let k = 0;  // ComfyUI's configure walks the widgets live, so rows added by the count get the next values
  for (let i = 0; i < fresh.shown.length && k < values.length; i++) {
    if (fresh.shown[i].serialize === false) continue;
    fresh.shown[i].value = values[k++];
  }
  const byName = Object.fromEntries(fresh.shown.map((w) => [w.name, w.value]));
  assert.equal(byName.prompt, "a fox");
  assert.deepEqual([byName.loras, byName["loras.lora_name1"], byName["loras.lora_strength1"]], ["1", "cam.safetensors", 0.5]);
  assert.deepEqual(toSavedValues(fresh.shown, fresh.created, comfySerialize(fresh.shown)), saved);
});

test("test_a_workflow_saved_before_the_lists_loads_as_before", () => {
  const { n, node } = withLoras();
  const old = ["waves", 0.4, 7, "fixed", "p.png", "s.wav"];
  assert.deepEqual(toShownValues(node.shown, node.created, old), toShownValues(shownOrder(n.added, n.groups), n.created, old));
});
