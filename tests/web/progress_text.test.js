import assert from "node:assert/strict";
import { test } from "node:test";

import { PROGRESS_TEXT, fitProgressText, neededHeight } from "../../web/ui/progress_text.js";

test("the widget asks for its text's height in canvas units, never less than before, at most 240", () => {
  assert.equal(neededHeight(72, 1, 58), 94);
  assert.equal(neededHeight(72, 2, 58), 58); // 36 canvas units of text fit the two lines given
  assert.equal(neededHeight(36, 1, 94), 94); // a shorter text later: the node does not shrink
  assert.equal(neededHeight(900, 1, 58), 240);
  assert.equal(neededHeight(0, 1, 58), 58);
});

function fakeNode(text, height) {
  const widget = { name: PROGRESS_TEXT, value: text, options: { getMinHeight: () => 58 } };
  const node = {
    widgets: [{ name: "prompt" }, widget], size: [400, 300], dirty: 0,
    computeSize() { return [400, 242 + widget.options.getMinHeight()]; },
    setSize(size) { this.size = size; },
    setDirtyCanvas() { this.dirty += 1; },
  };
  const span = { innerText: text, getBoundingClientRect: () => ({ height }) };
  const document = { querySelectorAll: () => [{ innerText: "another node's text" }, span] };
  return { node, widget, document };
}

test("a node whose text needs more room grows to hold it", () => {
  const { node, widget, document } = fakeNode("stage 1 · step 3/8\nText → Video · Fast · …", 68);
  assert.equal(fitProgressText(node, { document, scale: 1 }), true);
  assert.equal(widget.options.getMinHeight(), 90);
  assert.deepEqual(node.size, [400, 332]);
  assert.equal(node.dirty, 1);
});

test("a text that fits changes nothing", () => {
  const { node, widget, document } = fakeNode("save", 17);
  assert.equal(fitProgressText(node, { document, scale: 1 }), false);
  assert.equal(widget.options.getMinHeight(), 58);
  assert.deepEqual(node.size, [400, 300]);
});

test("nothing happens before the page shows the text", () => {
  const { node, document } = fakeNode("upscale", 40);
  node.widgets[1].value = "decode video"; // not drawn yet
  assert.equal(fitProgressText(node, { document, scale: 1 }), false);
});
