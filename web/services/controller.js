// What the sidebar's buttons do, and the state they change. The sidebar draws from the store;
// downloads report through the websocket whether the tab is open or not.

import { modeCatalog, modeOfNode } from "../lib/modes.js";
import { applyDownloadEvent } from "../lib/model_status.js";
import { createStore } from "../lib/store.js";
import { addModeNode, selectedAioNodes, switchNodeMode } from "./canvas.js";
import { openAsEditable } from "./editable.js";
import { openExample } from "./examples.js";

export const DOWNLOAD_EVENT = "ltx23_aio.download";
const REFRESH_DELAY_MS = 300;

export function createController({ app, api, LiteGraph, pack, notify }) {
  const store = createStore({
    catalog: null, loadError: null,
    modelSet: "auto", status: null, statusError: null,
    selected: [], // mode ids of the selected AIO nodes
    open: new Set(), requesting: new Set(),
    queued: new Set(), // file names a download request accepted
  });
  let refreshTimer = null;

  const catalog = () => store.get().catalog;

  // The status also tells how far running downloads are, for a page opened mid-download.
  async function refreshStatus() {
    try {
      store.update({ status: await pack.status(store.get().modelSet), statusError: null });
    } catch (e) {
      store.update({ status: null, statusError: e.status === 404
        ? "Model status is not available: this server has no LTX2.3 AIO model routes."
        : `Model status could not be read: ${e.message}` });
    }
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshStatus, REFRESH_DELAY_MS);
  }

  function onDownloadEvent(event) {
    store.update((s) => {
      const queued = new Set(s.queued);
      queued.delete(event.file);
      return { status: applyDownloadEvent(s.status, event), queued };
    });
    if (event.state === "error") notify({ severity: "error", summary: `Download of ${event.file} failed`, detail: event.error, life: 10000 });
    // The server knows where the finished file went (models folder or cache link).
    if (event.state !== "downloading") scheduleRefresh();
  }

  function refreshSelection() {
    if (!catalog()) return;
    const selected = selectedAioNodes(app, catalog()).map((n) => modeOfNode(n, catalog()).id);
    const same = selected.length === store.get().selected.length && selected.every((id, i) => id === store.get().selected[i]);
    if (!same) store.update({ selected });
  }

  function toggle(modeId) {
    store.update((s) => {
      const open = new Set(s.open);
      if (!open.delete(modeId)) open.add(modeId);
      return { open };
    });
  }

  function switchNode(node, mode) {
    if (modeOfNode(node, catalog()) === mode) return;
    const { message } = switchNodeMode(app, LiteGraph, node, mode, catalog());
    notify({ ...message, life: message.severity === "warn" ? 10000 : 4000 });
  }

  function chooseMode(mode) {
    const nodes = selectedAioNodes(app, catalog());
    if (!nodes.length) addModeNode(app, LiteGraph, mode);
    for (const node of nodes) switchNode(node, mode);
    store.update({ open: new Set([mode.id]) });
    refreshSelection();
  }

  // "Open as editable nodes" (node menu and sidebar).
  async function openEditable(node) {
    const mode = modeOfNode(node, catalog());
    try {
      const { message } = await openAsEditable({ app, LiteGraph, pack, catalog: catalog(), node });
      notify({ ...message, life: message.severity === "warn" ? 15000 : 6000 });
    } catch (e) {
      notify({ severity: "error", summary: `${mode?.title ?? "The node"} could not be opened as editable nodes`,
        detail: e.message, life: 15000 });
    }
    refreshSelection();
  }

  const selectedNodes = () => selectedAioNodes(app, catalog());

  async function download(mode) {
    store.update((s) => ({ requesting: new Set([...s.requesting, mode.id]) }));
    try {
      const started = await pack.download({ mode: mode.id, set: store.get().modelSet });
      store.update((s) => ({ queued: new Set([...s.queued, ...started.downloading]) }));
      if (!started.downloading.length) scheduleRefresh();
    } catch (e) {
      notify({ severity: "error", summary: `${mode.title}: the download did not start`, detail: e.message, life: 10000 });
    } finally {
      store.update((s) => {
        const requesting = new Set(s.requesting);
        requesting.delete(mode.id);
        return { requesting };
      });
    }
  }

  async function showExample(mode) {
    try {
      await openExample(app, pack, catalog(), mode);
    } catch (e) {
      notify({ severity: "error", summary: `The ${mode.title} example did not open`, detail: e.message, life: 10000 });
    }
  }

  function chooseModelSet(name) {
    store.update({ modelSet: name });
    refreshStatus();
  }

  async function start() {
    try {
      store.update({ catalog: modeCatalog(await pack.modes()) });
    } catch (e) {
      store.update({ loadError: `The LTX2.3 AIO modes could not be read from the server: ${e.message}` });
      return;
    }
    api.addEventListener(DOWNLOAD_EVENT, ({ detail }) => onDownloadEvent(detail));
    await refreshStatus();
  }

  return { store, start, refreshStatus, refreshSelection, toggle, chooseMode, switchNode, download, showExample,
    chooseModelSet, openEditable, selectedNodes };
}
