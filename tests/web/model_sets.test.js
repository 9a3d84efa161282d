import assert from "node:assert/strict";
import { test } from "node:test";

import { AUTO, MIXED, autoResolution, autoSetsOf, modelsOptionLabel, pickerOptions, pickerTarget } from "../../web/lib/model_sets.js";

const STATUS = {
  sets: [{ name: "auto", label: "auto" }, { name: "fp8", label: "fp8 · scaled" }, { name: "tiny", label: "Tiny" }],
  broken_sets: { "/u/ltx23-aio/model_sets/mine.json": "line 3: Expecting ',' delimiter" },
  modes: [{ mode: "t2v", set: "fp8", set_label: "fp8 · scaled", reason: "auto: 24 GB, sm 89" },
    { mode: "i2v", set: "tiny", set_label: "Tiny", reason: "auto: all files present" }],
};

test("test_pickerTarget_is_the_set_for_new_nodes_without_a_selection", () => {
  assert.deepEqual(pickerTarget([], "tiny"), { kind: "new", value: "tiny", label: "Model set for new nodes" });
});

test("test_pickerTarget_is_the_selected_nodes_set", () => {
  assert.equal(pickerTarget(["fp8"], AUTO).value, "fp8");
  assert.equal(pickerTarget(["fp8"], AUTO).label, "Model set of the selected node");
  assert.equal(pickerTarget(["fp8", "fp8"], AUTO).value, "fp8");
});

test("test_pickerTarget_says_when_selected_nodes_differ", () => {
  const target = pickerTarget(["fp8", "tiny"], AUTO);
  assert.equal(target.value, MIXED);
  assert.equal(pickerOptions(STATUS, target.value)[0].label, "— several sets —");
});

test("test_pickerOptions_lists_a_broken_user_set_not_choosable_with_the_parsers_message", () => {
  const broken = pickerOptions(STATUS, "fp8").find((o) => o.broken);
  assert.equal(broken.label, "⚠ mine.json (broken)");
  assert.equal(broken.disabled, true);
  assert.match(broken.title, /Expecting ',' delimiter/);
});

test("test_pickerOptions_keeps_a_set_the_server_does_not_list", () => {
  const options = pickerOptions(STATUS, "gone");
  assert.deepEqual(options.filter((o) => o.value === "gone").map((o) => o.label), ["gone (unknown set)"]);
});

test("test_autoResolution_names_the_set_auto_picks_for_the_mode", () => {
  assert.deepEqual(autoResolution(STATUS, AUTO, "i2v"), { set: "tiny", label: "Tiny", reason: "auto: all files present" });
  assert.equal(autoResolution(STATUS, AUTO, undefined).set, "fp8");
  assert.equal(autoResolution(STATUS, "fp8", "i2v"), null);
});

test("test_modelsOptionLabel_says_what_auto_stands_for_on_the_node", () => {
  const autoSets = autoSetsOf({ modes: [{ mode: "t2v", requested: "auto", set: "fp8", set_label: "fp8 · scaled" }] });
  assert.equal(modelsOptionLabel("auto", autoSets, "t2v"), "auto → fp8 · scaled");
  assert.equal(modelsOptionLabel("auto", autoSets, "i2v"), "auto");
  assert.equal(modelsOptionLabel("tiny", autoSets, "t2v"), "tiny");
  assert.equal(modelsOptionLabel(undefined, autoSets, "t2v"), "");
});
