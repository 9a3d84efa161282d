import assert from "node:assert/strict";
import { test } from "node:test";

import { exampleMediaIn, mediaPath, renameMedia, templatePath } from "../../web/lib/examples.js";
import { modeCatalog } from "../../web/lib/modes.js";
import { MODES_PAYLOAD } from "./fixtures.js";

const catalog = modeCatalog(MODES_PAYLOAD);

const workflow = () => ({
  nodes: [
    { type: "LTX23AIO_Lipsync", widgets_values: ["prompt", 0.7, "ltx23_aio_portrait.png", "ltx23_aio_singing.mp3"] },
    { type: "LoadImage", widgets_values: ["ltx23_aio_portrait.png", "image"] },
    { type: "LTX23AIO_ImageToVideo", widgets_values: ["prompt", "mine.png"] },
  ],
  definitions: { subgraphs: [{ nodes: [{ type: "LTX23AIO_ImageToVideo", widgets_values: { image: "ltx23_aio_portrait.png" } }] }] },
});

test("test_templatePath_escapes_the_pack_and_name", () => {
  assert.equal(templatePath("ltx23-aio", "LTX2.3 AIO - Lipsync"), "/workflow_templates/ltx23-aio/LTX2.3%20AIO%20-%20Lipsync.json");
});

test("test_mediaPath_points_into_the_media_folder", () => {
  assert.equal(mediaPath("ltx23-aio", "a b.png"), "/workflow_templates/ltx23-aio/media/a%20b.png");
});

test("test_exampleMediaIn_finds_the_shipped_media_aio_nodes_name", () => {
  assert.deepEqual([...exampleMediaIn(workflow(), catalog)].sort(), ["ltx23_aio_portrait.png", "ltx23_aio_singing.mp3"]);
});

test("test_exampleMediaIn_ignores_other_nodes", () => {
  const w = { nodes: [{ type: "LoadImage", widgets_values: ["ltx23_aio_portrait.png"] }] };
  assert.equal(exampleMediaIn(w, catalog).size, 0);
});

test("test_renameMedia_renames_in_aio_nodes_and_subgraphs_only", () => {
  const w = workflow();
  renameMedia(w, new Map([["ltx23_aio_portrait.png", "ltx23_aio_portrait (1).png"]]), catalog);
  assert.equal(w.nodes[0].widgets_values[2], "ltx23_aio_portrait (1).png");
  assert.equal(w.nodes[1].widgets_values[0], "ltx23_aio_portrait.png");
  assert.equal(w.definitions.subgraphs[0].nodes[0].widgets_values.image, "ltx23_aio_portrait (1).png");
});

test("test_openExample_goes_back_to_the_examples_open_tab", async () => {
  const { openExample } = await import("../../web/services/examples.js");
  const tab = { filename: "LTX2.3 AIO - Text to Video", path: "workflows/LTX2.3 AIO - Text to Video.json",
    activeState: { nodes: [{ type: "LTX23AIO_TextToVideo", widgets_values: ["changed"] }] } };
  const loads = [];
  const app = { graph: { nodes: [] }, extensionManager: { workflow: { openWorkflows: [tab], activeWorkflow: null } },
    loadGraphData: async (...args) => loads.push(args) };
  const pack = { template: async () => { throw new Error("not fetched again"); } };
  await openExample(app, pack, catalog, { node_id: "LTX23AIO_TextToVideo", example: "LTX2.3 AIO - Text to Video" });
  assert.equal(loads.length, 1);
  assert.equal(loads[0][0], tab.activeState);
  assert.equal(loads[0][3], tab);
});

test("test_openExample_refills_its_tab_when_the_node_is_gone", async () => {
  const { openExample } = await import("../../web/services/examples.js");
  const tab = { filename: "LTX2.3 AIO - Text to Video", activeState: { nodes: [] } };
  const loads = [];
  const template = { nodes: [{ type: "LTX23AIO_TextToVideo" }] };
  const app = { graph: { nodes: [] }, extensionManager: { workflow: { openWorkflows: [tab], activeWorkflow: tab } },
    loadGraphData: async (...args) => loads.push(args) };
  await openExample(app, { template: async () => template }, catalog, { node_id: "LTX23AIO_TextToVideo", example: "LTX2.3 AIO - Text to Video" });
  assert.deepEqual([loads[0][0], loads[0][3]], [template, tab]);
});
