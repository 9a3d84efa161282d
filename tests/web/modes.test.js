import assert from "node:assert/strict";
import { test } from "node:test";

import { aioNodes, modeCatalog, modeOfNode } from "../../web/lib/modes.js";
import { MODES_PAYLOAD } from "./fixtures.js";

const catalog = modeCatalog(MODES_PAYLOAD);

test("test_modeCatalog_indexes_modes_by_id_and_node_id", () => {
  assert.equal(catalog.byId.get("lipsync").node_id, "LTX23AIO_Lipsync");
  assert.equal(catalog.byNodeId.get("LTX23AIO_ImageToVideo").id, "i2v");
  assert.deepEqual(catalog.exampleMedia, MODES_PAYLOAD.example_media);
});

test("test_modeOfNode_reads_the_registered_class", () => {
  assert.equal(modeOfNode({ comfyClass: "LTX23AIO_Lipsync", type: "renamed" }, catalog).id, "lipsync");
});

test("test_modeOfNode_reads_a_saved_nodes_type", () => {
  assert.equal(modeOfNode({ type: "LTX23AIO_TextToVideo" }, catalog).id, "t2v");
});

test("test_modeOfNode_is_null_for_other_nodes", () => {
  assert.equal(modeOfNode({ comfyClass: "LoadImage" }, catalog), null);
  assert.equal(modeOfNode(null, catalog), null);
});

test("test_aioNodes_keeps_only_aio_nodes", () => {
  const picked = aioNodes(new Set([{ comfyClass: "LoadImage" }, { comfyClass: "LTX23AIO_Lipsync" }, { title: "a group" }]), catalog);
  assert.deepEqual(picked.map((n) => n.comfyClass), ["LTX23AIO_Lipsync"]);
});
