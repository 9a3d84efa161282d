// LTX2.3 AIO in ComfyUI's frontend: the sidebar tab, the node menu's mode switch, and the media of
// the example workflows. The logic lives in lib/ (pure), services/ (canvas and server), ui/ (DOM).

import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";
import { modelsOptionLabel } from "./lib/model_sets.js";
import { createController } from "./services/controller.js";
import { listUploadedMedia, provideExampleMedia } from "./services/examples.js";
import { packApi } from "./services/pack_api.js";
import { nodeMenuItems } from "./ui/node_menu.js";
import { followProgressText } from "./ui/progress_text.js";
import { installSidebar } from "./ui/tab.js";
import { addMediaControls } from "./ui/upload.js";
import { addResultAudio } from "./ui/result_audio.js";

const pack = packApi(api);
const notify = (message) => app.extensionManager?.toast?.add?.(message);
const controller = createController({ app, api, LiteGraph: window.LiteGraph, pack, notify });
let ready = null;

app.registerExtension({
  name: "LTX23AIO.Sidebar",

  // Read by the server when a node runs (nodes/host.py): the user's settings file holds it.
  settings: [{
    id: "LTX23AIO.AutoDownload",
    category: ["LTX2.3 AIO", "Models", "Download missing model files automatically"],
    name: "Download missing model files automatically",
    tooltip: "When a node runs and a file of its model set is missing, download it into the Hugging Face "
      + "cache first. Off: the node refuses to queue and lists the files and how to get them.",
    type: "boolean",
    defaultValue: true,
  }],

  setup() {
    document.head.append(Object.assign(document.createElement("link"), {
      rel: "stylesheet", href: new URL("./ui/sidebar.css", import.meta.url).href,
    }));
    ready = controller.start();
    followProgressText(app, api, (node) => node.type?.startsWith("LTX23AIO_"));
    if (installSidebar(app, controller)) {
      // Keeps the tab's "Selected: …" line current; LiteGraph's one selection callback.
      const previous = app.canvas.onSelectionChange;
      app.canvas.onSelectionChange = function (...args) {
        previous?.apply(this, args);
        controller.refreshSelection();
      };
      // A click on the canvas (also on the node just added) is the user's own choice of selection.
      // (the classic canvas, or a node's element in the Nodes 2.0 view).
      document.addEventListener("pointerdown", (e) => {
        if (e.target?.closest?.("canvas, [data-node-id], .lg-node")) controller.forgetAdded();
      }, { capture: true });
    }
  },

  // Awaited by ComfyUI before the nodes are built, also for workflows opened from its Templates
  // browser: the example media must be in the input folder before the nodes name them.
  async beforeConfigureGraph(workflow) {
    await ready;
    const catalog = controller.store.get().catalog;
    if (!catalog) return;
    try {
      await provideExampleMedia(workflow, catalog, pack);
    } catch (e) {
      console.error("[LTX2.3 AIO] example media could not be uploaded:", e);
      notify({ severity: "error", summary: "LTX2.3 AIO example media", life: 10000,
        detail: `The example's media could not be put into ComfyUI's input folder: ${e.message}` });
    }
  },

  beforeRegisterNodeDef(nodeType, nodeData) {
    if (!nodeData?.name?.startsWith("LTX23AIO_")) return;
    const created = nodeType.prototype.onNodeCreated;
    nodeType.prototype.onNodeCreated = function (...args) {
      const result = created?.apply(this, args);
      addMediaControls(this, nodeData, pack, notify, (path) => api.apiURL(path));
      const outputs = nodeData.output ?? [];
      if (outputs.includes("AUDIO") && !outputs.includes("VIDEO")) {  // a mode that makes sound only
        this.ltx23aioShowResult = addResultAudio(this, (path) => api.apiURL(path));
      }
      const models = this.widgets?.find((w) => w.name === "models");
      if (models) {
        models.options ??= {};
        models.options.getOptionLabel = (value) => {
          const state = controller.store.get();
          return modelsOptionLabel(value, state.autoSets, state.catalog?.byNodeId.get(nodeData.name)?.id);
        };
        // The sidebar's picker follows a set chosen on the node itself.
        const chosen = models.callback;
        models.callback = function (...args) {
          const result = chosen?.apply(this, args);
          controller.refreshSelection();
          return result;
        };
      }
      return result;
    };
    // The frontend keeps widget values by node id: a node added with the id of a removed one (after
    // the canvas is cleared) can show that node's LoRA or keyframe count without its rows. Setting
    // the count again draws the rows it says.
    // Only a count that has rows is set again: setting one also resizes the node to fit.
    const lists = Object.entries(nodeData.input?.optional ?? {})
      .filter(([, spec]) => spec?.[0] === "COMFY_DYNAMICCOMBO_V3")
      .map(([name, spec]) => ({ name, hasRows: (count) => Object.keys(
        spec[1]?.options?.find((o) => o.key === count)?.inputs?.required ?? {}).length > 0 }));
    const added = nodeType.prototype.onAdded;
    nodeType.prototype.onAdded = function (...args) {
      const result = added?.apply(this, args);
      for (const { name, hasRows } of lists) {
        const count = this.widgets?.find((w) => w.name === name);
        if (count && hasRows(count.value) && !this.widgets.some((w) => w.name.startsWith(`${name}.`))) {
          count.value = count.value;
        }
      }
      return result;
    };
    const executed = nodeType.prototype.onExecuted;
    nodeType.prototype.onExecuted = function (output, ...rest) {
      const result = executed?.apply(this, [output, ...rest]);
      this.ltx23aioShowResult?.(output);
      return result;
    };
  },

  loadedGraphNode(node) {
    const catalog = controller.store.get().catalog;
    if (catalog) listUploadedMedia(node, catalog);
    node.ltx23aioRefreshMedia?.();
  },

  getNodeMenuItems(node) {
    return nodeMenuItems(node, controller);
  },
});
