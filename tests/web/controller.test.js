import assert from "node:assert/strict";
import { test } from "node:test";

import { DOWNLOAD_EVENT, createController } from "../../web/services/controller.js";
import { MODES_PAYLOAD } from "./fixtures.js";

// The server and the frontend's api are the boundaries here: these stand in for them.
function setup({ status = { sets: [], modes: [] }, statusError = null, download } = {}) {
  const calls = { status: 0, download: [] };
  const listeners = {};
  const notices = [];
  const pack = {
    modes: async () => MODES_PAYLOAD,
    status: async () => {
      calls.status += 1;
      if (statusError) throw statusError;
      return status;
    },
    download: async (body) => {
      calls.download.push(body);
      return download ?? { downloading: ["a.safetensors"], present: [] };
    },
  };
  const api = { addEventListener: (name, fn) => { listeners[name] = fn; } };
  const controller = createController({ app: {}, api, LiteGraph: {}, pack, notify: (m) => notices.push(m) });
  const emit = (detail) => listeners[DOWNLOAD_EVENT]({ detail });
  return { controller, calls, notices, emit };
}

const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("test_controller_start_reads_the_modes_and_the_model_status", async () => {
  const { controller, calls } = setup();
  await controller.start();
  assert.equal(controller.store.get().catalog.byId.get("i2v").node_id, "LTX23AIO_ImageToVideo");
  assert.equal(calls.status, 1);
});

test("test_controller_reads_the_status_once_after_a_download_ends", async () => {
  const { controller, calls, emit } = setup();
  await controller.start();
  emit({ file: "a.safetensors", folder: "loras", done: 10, total: 10, state: "done" });
  await settle(1000);
  assert.equal(calls.status, 2);
});

test("test_controller_tells_the_user_once_when_a_download_fails", async () => {
  const { controller, notices, emit } = setup();
  await controller.start();
  emit({ file: "a.safetensors", folder: "loras", done: 1, total: 10, state: "error", error: "disk full" });
  await settle(700);
  assert.equal(notices.length, 1);
  assert.equal(notices[0].severity, "error");
  assert.equal(notices[0].detail, "disk full");
});

test("test_controller_download_asks_for_the_mode_in_the_chosen_model_set", async () => {
  const { controller, calls } = setup();
  await controller.start();
  controller.chooseModelSet("tiny");
  await controller.download(controller.store.get().catalog.byId.get("t2v"));
  assert.deepEqual(calls.download, [{ mode: "t2v", set: "tiny" }]);
  assert.deepEqual([...controller.store.get().queued], ["a.safetensors"]);
});

test("test_controller_says_when_the_server_has_no_model_routes", async () => {
  const { controller } = setup({ statusError: Object.assign(new Error("HTTP 404"), { status: 404 }) });
  await controller.start();
  assert.equal(controller.store.get().status, null);
  assert.match(controller.store.get().statusError, /no LTX2.3 AIO model routes/);
});

// A canvas with AIO nodes that have a `models` combo, for the model-set picker.
function canvasWith(nodes) {
  const changes = [];
  const canvas = { selectedItems: new Set(nodes.filter((n) => n.selected)), emitBeforeChange: () => changes.push("before"),
    emitAfterChange: () => changes.push("after"), setDirty: () => {} };
  return { canvas, changes };
}
const aioNode = (type, models, selected = true) => ({ type, selected,
  widgets: [{ name: "models", value: models, options: { values: ["auto", "fp8", "tiny"] } }] });

test("test_controller_picker_follows_the_selected_node_and_reads_its_sets_status", async () => {
  const node = aioNode("LTX23AIO_ImageToVideo", "tiny");
  const { canvas } = canvasWith([node]);
  const asked = [];
  const pack = { modes: async () => MODES_PAYLOAD, status: async (set) => { asked.push(set); return { sets: [], modes: [] }; } };
  const controller = createController({ app: { canvas }, api: { addEventListener() {} }, LiteGraph: {}, pack, notify() {} });
  await controller.start();
  controller.refreshSelection();
  assert.equal(controller.store.get().modelSet, "tiny");
  assert.deepEqual(controller.store.get().selectedSets, ["tiny"]);
  assert.deepEqual(asked, ["auto", "tiny"]);
});

test("test_controller_choosing_a_set_sets_it_on_the_selected_node_as_one_change", async () => {
  const node = aioNode("LTX23AIO_ImageToVideo", "auto");
  const { canvas, changes } = canvasWith([node]);
  const pack = { modes: async () => MODES_PAYLOAD, status: async () => ({ sets: [], modes: [] }) };
  const controller = createController({ app: { canvas }, api: { addEventListener() {} }, LiteGraph: {}, pack, notify() {} });
  await controller.start();
  controller.chooseModelSet("tiny");
  assert.equal(node.widgets[0].value, "tiny");
  assert.deepEqual(changes, ["before", "after"]);
  assert.equal(controller.store.get().newNodeSet, "auto");  // new nodes are not affected
});

test("test_controller_choosing_a_set_without_a_selection_is_for_new_nodes", async () => {
  const { controller } = setup();
  await controller.start();
  controller.chooseModelSet("tiny");
  assert.equal(controller.store.get().newNodeSet, "tiny");
  assert.equal(controller.store.get().modelSet, "tiny");
});

test("test_controller_keeps_a_failed_download_until_dismissed_and_retries_the_same_request", async () => {
  const { controller, calls, emit } = setup();
  await controller.start();
  controller.chooseModelSet("tiny");
  await controller.download(controller.store.get().catalog.byId.get("t2v"));
  emit({ file: "a.safetensors", folder: "loras", done: 1, total: 10, state: "error", error: "HTTP 500" });
  await settle(700);
  const failures = controller.store.get().failures;
  assert.deepEqual([...failures.values()].map((f) => [f.file, f.error]), [["a.safetensors", "HTTP 500"]]);
  await controller.retry([...failures.keys()][0]);
  assert.deepEqual(calls.download.at(-1), { mode: "t2v", set: "tiny" });
  assert.equal(controller.store.get().failures.size, 0);
  emit({ file: "a.safetensors", folder: "loras", done: 1, total: 10, state: "error", error: "again" });
  controller.dismiss("loras/a.safetensors");
  assert.equal(controller.store.get().failures.size, 0);
});

test("test_controller_cancel_posts_the_file_to_the_cancel_route", async () => {
  const requests = [];
  const api = {
    addEventListener() {},
    fetchApi: async (path, init) => {
      requests.push({ path, method: init?.method, body: init?.body && JSON.parse(init.body) });
      return new Response(JSON.stringify({ cancelled: ["a.safetensors"] }), { status: 200 });
    },
  };
  const { packApi } = await import("../../web/services/pack_api.js");
  const controller = createController({ app: {}, api, LiteGraph: {}, pack: { ...packApi(api), modes: async () => MODES_PAYLOAD,
    status: async () => ({ sets: [], modes: [] }), downloads: async () => ({ downloads: [] }) }, notify() {} });
  await controller.start();
  await controller.cancel("a.safetensors");
  assert.deepEqual(requests.at(-1), { path: "/ltx23_aio/models/cancel", method: "POST", body: { file: "a.safetensors" } });
  assert.deepEqual([...controller.store.get().cancelling], ["a.safetensors"]);
});

test("test_controller_says_when_the_server_cannot_cancel", async () => {
  const notices = [];
  const pack = { modes: async () => MODES_PAYLOAD, status: async () => ({ sets: [], modes: [] }),
    cancel: async () => { throw Object.assign(new Error("HTTP 404"), { status: 404 }); } };
  const controller = createController({ app: {}, api: { addEventListener() {} }, LiteGraph: {}, pack, notify: (m) => notices.push(m) });
  await controller.start();
  await controller.cancel("a.safetensors");
  assert.match(notices[0].detail, /cannot cancel downloads/);
  assert.equal(controller.store.get().cancelling.size, 0);
});

test("test_controller_shows_failures_the_server_remembers_from_before_the_page_opened", async () => {
  const pack = { modes: async () => MODES_PAYLOAD, status: async () => ({ sets: [], modes: [] }),
    downloads: async () => ({ downloads: [{ file: "a.safetensors", folder: "loras", state: "error", error: "401" }] }) };
  const controller = createController({ app: {}, api: { addEventListener() {} }, LiteGraph: {}, pack, notify() {} });
  await controller.start();
  assert.equal(controller.store.get().failures.get("loras/a.safetensors").error, "401");
});

test("test_controller_cancel_of_a_download_that_already_ended_clears_the_button", async () => {
  const pack = { modes: async () => MODES_PAYLOAD, status: async () => ({ sets: [], modes: [] }),
    cancel: async () => ({ cancelled: [] }) };
  const controller = createController({ app: {}, api: { addEventListener() {} }, LiteGraph: {}, pack, notify() {} });
  await controller.start();
  await controller.cancel("a.safetensors");
  assert.equal(controller.store.get().cancelling.size, 0);
});

test("test_controller_cancelled_event_leaves_the_file_missing_and_no_failure", async () => {
  const { controller, emit, notices } = setup({ status: { sets: [], modes: [{ mode: "t2v", files: [
    { name: "a.safetensors", folder: "loras", state: "downloading", size: 10, done: 5, total: 10, repo: "r" }] }] } });
  await controller.start();
  emit({ file: "a.safetensors", folder: "loras", done: 5, total: 10, state: "cancelled" });
  const file = controller.store.get().status.modes[0].files[0];
  assert.deepEqual([file.state, file.error], ["missing", null]);
  assert.equal(controller.store.get().failures.size, 0);
  assert.equal(notices.length, 0);
});
