import assert from "node:assert/strict";
import { test } from "node:test";

import { placeApart } from "../../web/services/canvas.js";

const node = (x, y, w = 400, h = 600) => ({ pos: [x, y], size: [w, h] });

test("test_placeApart_keeps_a_free_spot", () => {
  assert.deepEqual(placeApart([0, 0], [400, 600], [node(2000, 0)]), [0, 0]);
});

test("test_placeApart_moves_right_of_every_node_in_the_way", () => {
  const nodes = [node(0, 0), node(440, 0)];
  const at = placeApart([0, 0], [400, 600], nodes);
  assert.deepEqual(at, [880, 0]);
});
