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
