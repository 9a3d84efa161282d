// What the sidebar's buttons do, and the state they change. The sidebar draws from the store;
// downloads report through the websocket whether the tab is open or not.

import { modeCatalog, modeOfNode } from "../lib/modes.js";
import { downloadStartedText, failuresFromSnapshot, withFailureEvent, withoutFailure } from "../lib/downloads.js";
import { applyDownloadEvent } from "../lib/model_status.js";
import { createStore } from "../lib/store.js";
import { AUTO, autoSetsOf } from "../lib/model_sets.js";
import { addModeNode, modelSetOf, selectedAioNodes, setModelSet, switchNodeMode } from "./canvas.js";
import { openAsEditable } from "./editable.js";
import { openExample } from "./examples.js";

export const DOWNLOAD_EVENT = "ltx23_aio.download";
const REFRESH_DELAY_MS = 300;

export function createController({ app, api, LiteGraph, pack, notify }) {
  const store = createStore({
    catalog: null, loadError: null,
    // One truth about model sets: the status is read for the set the picker shows, which is the
    // selected node's own `models` value, or the set a node added from the sidebar gets.
    modelSet: AUTO, newNodeSet: AUTO, status: null, statusError: null,
    autoSets: new Map(), // mode id → the set auto picks (from the last status read for auto)
    selected: [], // mode ids of the selected AIO nodes
    justAdded: false, // the selection is the node the sidebar just added
    selectedSets: [], // their `models` values, in the same order
    open: new Set(), requesting: new Set(),
    queued: new Set(), // file names a download request accepted
    failures: new Map(), // failed downloads, kept until dismissed: "folder/name" → {file, folder, error, retry}
    cancelling: new Set(), // file names a cancel was asked for
  });
  // The request that started each file, so that a retry asks the same (a user set's file is not
  // a manifest file the server would take by name).
  const requestOf = new Map();
  let refreshTimer = null;

  const catalog = () => store.get().catalog;

  // The status also tells how far running downloads are, for a page opened mid-download.
  async function refreshStatus() {
    try {
      const set = store.get().modelSet;
      const status = await pack.status(set);
      store.update({ status, statusError: null, ...(set === AUTO ? { autoSets: autoSetsOf(status) } : {}) });
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
      const cancelling = new Set(s.cancelling);
      if (event.state !== "downloading") cancelling.delete(event.file);
      return { status: applyDownloadEvent(s.status, event), queued, cancelling,
        failures: withFailureEvent(s.failures, event, requestOf.get(event.file)) };
    });
    if (event.state === "error") notify({ severity: "error", summary: `Download of ${event.file} failed`, detail: event.error, life: 10000 });
    // The server knows where the finished file went (models folder or cache link).
    if (event.state !== "downloading") scheduleRefresh();
  }

  const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // Follows the canvas: which AIO nodes are selected and which model set they name (the user may
  // have changed it on the node), and reads the status again when that set changed.
  // The node the sidebar just added and selected itself: another mode button adds another node
  // instead of switching it, until the user selects something (or clicks the canvas).
  let added = null;
  let adding = false;
  const byUser = (nodes) => !(nodes.length === 1 && nodes[0] === added);
  function forgetAdded() {
    if (!added) return;
    added = null;
    store.update({ justAdded: false });
  }

  function refreshSelection() {
    if (!catalog()) return;
    const nodes = selectedAioNodes(app, catalog());
    if (!adding && added && byUser(nodes)) forgetAdded();
    const selected = nodes.map((n) => modeOfNode(n, catalog()).id);
    const selectedSets = nodes.map((n) => modelSetOf(n) ?? AUTO);
    const s = store.get();
    if (!sameList(selected, s.selected) || !sameList(selectedSets, s.selectedSets)) store.update({ selected, selectedSets });
    const modelSet = selectedSets[0] ?? s.newNodeSet;
    if (modelSet !== s.modelSet) {
      store.update({ modelSet });
      refreshStatus();
    }
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
    const selected = selectedAioNodes(app, catalog());
    const nodes = byUser(selected) ? selected : [];
    if (!nodes.length) {
      adding = true;
      try {
        added = addModeNode(app, LiteGraph, mode, store.get().newNodeSet);
      } finally {
        adding = false;
      }
      store.update({ justAdded: true });
    }
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

  function sizeOf(name) {
    for (const mode of store.get().status?.modes ?? []) {
      const file = mode.files.find((f) => f.name === name);
      if (file) return file.size ?? null;
    }
    return null;
  }

  async function download(mode) {
    store.update((s) => ({ requesting: new Set([...s.requesting, mode.id]) }));
    const body = { mode: mode.id, set: store.get().modelSet };
    try {
      const started = await pack.download(body);
      for (const name of started.downloading) requestOf.set(name, body);
      store.update((s) => ({ queued: new Set([...s.queued, ...started.downloading]) }));
      notify({ severity: "info", summary: `${mode.title}: model files`, detail: downloadStartedText(started, sizeOf), life: 5000 });
      if (!started.downloading.length) scheduleRefresh();
    } catch (e) {
      // Refused before any file started (offline, gated, disk full): kept like a failed file.
      store.update((s) => ({ failures: new Map(s.failures).set(`mode:${mode.id}`,
        { file: `${mode.title}: model files`, folder: null, error: e.message, retry: body }) }));
      notify({ severity: "error", summary: `${mode.title}: the download did not start`, detail: e.message, life: 10000 });
    } finally {
      store.update((s) => {
        const requesting = new Set(s.requesting);
        requesting.delete(mode.id);
        return { requesting };
      });
    }
  }

  // Retries a failed download with the request that started it (or the file by name).
  async function retry(failureKey) {
    const failure = store.get().failures.get(failureKey);
    if (!failure) return;
    try {
      const started = await pack.download(failure.retry);
      for (const name of started.downloading) requestOf.set(name, failure.retry);
      store.update((s) => ({ failures: withoutFailure(s.failures, failureKey),
        queued: new Set([...s.queued, ...started.downloading]) }));
      if (!started.downloading.length) scheduleRefresh();
    } catch (e) {
      store.update((s) => ({ failures: new Map(s.failures).set(failureKey, { ...failure, error: e.message }) }));
    }
  }

  function dismiss(failureKey) {
    store.update((s) => ({ failures: withoutFailure(s.failures, failureKey) }));
  }

  async function cancel(name) {
    store.update((s) => ({ cancelling: new Set([...s.cancelling, name]) }));
    const done = () => store.update((s) => {
      const cancelling = new Set(s.cancelling);
      cancelling.delete(name);
      return { cancelling };
    });
    try {
      const answer = await pack.cancel(name);
      // Not running any more (it ended meanwhile): nothing will say "cancelled".
      if (!answer?.cancelled?.includes(name)) {
        done();
        scheduleRefresh();
      }
    } catch (e) {
      done();
      notify({ severity: "error", summary: `${name}: the download could not be cancelled`,
        detail: e.status === 404 ? "This server cannot cancel downloads (no cancel route); update the pack." : e.message, life: 10000 });
    }
  }

  async function showExample(mode) {
    try {
      await openExample(app, pack, catalog(), mode);
    } catch (e) {
      notify({ severity: "error", summary: `The ${mode.title} example did not open`, detail: e.message, life: 10000 });
    }
  }

  // Sets it on the selected AIO nodes, or for the nodes the sidebar adds next.
  function chooseModelSet(name) {
    const nodes = catalog() ? selectedAioNodes(app, catalog()) : [];
    if (nodes.length) setModelSet(app, nodes, name);
    // The node just added stands for "new nodes" too.
    if (!nodes.length || !byUser(nodes)) store.update({ newNodeSet: name });
    store.update({ modelSet: name, selectedSets: store.get().selectedSets.map(() => name) });
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
    // Downloads that failed before this page opened (also those a running node started).
    try {
      const failures = failuresFromSnapshot((await pack.downloads?.())?.downloads);
      if (failures.size) store.update({ failures });
    } catch {
      // An older server without the route: only this page's failures are shown.
    }
    await refreshStatus();
  }

  return { store, start, refreshStatus, refreshSelection, toggle, chooseMode, switchNode, download, showExample,
    chooseModelSet, retry, dismiss, cancel, forgetAdded, openEditable, selectedNodes };
}
