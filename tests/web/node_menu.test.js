import assert from "node:assert/strict";
import { test } from "node:test";

import { modeCatalog } from "../../web/lib/modes.js";
import { nodeMenuItems } from "../../web/ui/node_menu.js";
import { MODES_PAYLOAD } from "./fixtures.js";

const catalog = modeCatalog(MODES_PAYLOAD);

function controller() {
  const switched = [];
  return { switched, store: { get: () => ({ catalog }) }, switchNode: (node, mode) => switched.push([node, mode.id]) };
}

test("test_nodeMenuItems_offers_every_mode_for_an_aio_node", () => {
  const c = controller();
  const node = { comfyClass: "LTX23AIO_ImageToVideo" };
  const [item] = nodeMenuItems(node, c);
  const options = item.submenu.options;
  assert.deepEqual(options.map((o) => o.content), catalog.modes.map((m) => m.title));
  assert.equal(options.find((o) => o.content === "Image → Video").disabled, true);
  options.find((o) => o.content === "Lipsync").callback();
  assert.deepEqual(c.switched, [[node, "lipsync"]]);
});

test("test_nodeMenuItems_is_empty_for_other_nodes", () => {
  assert.deepEqual(nodeMenuItems({ comfyClass: "LoadImage" }, controller()), []);
});
