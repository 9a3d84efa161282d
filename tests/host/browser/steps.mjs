// Drives Chromium through the sidebar and the examples on a running ComfyUI, and writes what it
// saw to <out>/report.json (after every step) plus a screenshot per step; test_browser.py checks
// the report. Usage: node steps.mjs '<config json>' with {url, out, chromium, modelSet,
// downloadMode, run: {width, height, duration, models}, limitSeconds}. Every wait is bounded.
import fs from "node:fs";
import path from "node:path";

import { dismissOverlays, ready, withPage } from "./session.mjs";

const config = JSON.parse(process.argv[2]);
const WAIT = 20_000;
const RUN_WAIT = 120_000;
const report = { steps: {}, errors: {}, screenshots: [] };
let catalog = null; // GET /ltx23_aio/modes
const save = () => fs.writeFileSync(path.join(config.out, "report.json"), JSON.stringify(report, null, 1));

async function shot(page, name) {
  await page.screenshot({ path: path.join(config.out, name) });
  report.screenshots.push(name);
}

async function freshCanvas(page) {
  await dismissOverlays(page);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    app.graph.clear();
    app.canvas.deselectAll();
  });
}

// A node of `type` alone on a canvas at scale 1, clear of the top bar (earlier steps move the view).
async function placeNode(page, type) {
  await page.evaluate((t) => {
    const app = window.comfyAPI.app.app;
    app.canvas.ds.scale = 1;
    app.canvas.ds.offset = [0, 0];
    const node = LiteGraph.createNode(t);
    node.pos = [300, 160];
    app.graph.add(node);
    app.canvas.setDirty(true, true);
    window.ltx23aioPlaced = node;
  }, type);
  await page.waitForTimeout(300);
}

async function openSidebar(page) {
  if (!(await page.locator(".ltx23aio").isVisible())) await page.locator(".ltx23aio-tab-button").click();
  await page.waitForSelector(".ltx23aio-mode", { timeout: WAIT });
}

async function openSection(page, mode) {
  const header = page.locator(`.ltx23aio-mode-section[data-mode="${mode}"] .ltx23aio-mode-header`);
  if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
}

// Fits the graph into the part of the window the sidebar leaves free, for the screenshots.
async function fitView(page) {
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const nodes = app.graph.nodes;
    const left = Math.max(60, document.querySelector(".ltx23aio")?.getBoundingClientRect().right ?? 0) + 20;
    const [top, width, height] = [90, window.innerWidth - left - 40, window.innerHeight - 130];
    const title = LiteGraph.NODE_TITLE_HEIGHT;
    const x0 = Math.min(...nodes.map((n) => n.pos[0]));
    const y0 = Math.min(...nodes.map((n) => n.pos[1] - title));
    const x1 = Math.max(...nodes.map((n) => n.pos[0] + n.size[0]));
    const y1 = Math.max(...nodes.map((n) => n.pos[1] + n.size[1]));
    const scale = Math.min(width / (x1 - x0), height / (y1 - y0), 1.2);
    app.canvas.ds.scale = scale;
    app.canvas.ds.offset = [(left + (width - (x1 - x0) * scale) / 2) / scale - x0, (top + (height - (y1 - y0) * scale) / 2) / scale - y0];
    app.canvas.setDirty(true, true);
  });
  await page.waitForTimeout(300);
}

async function closeSidebar(page) {
  if (await page.locator(".ltx23aio").isVisible()) await page.locator(".ltx23aio-tab-button").click();
}

const toasts = (page) => page.evaluate(() => [...document.querySelectorAll(".p-toast-message")].map((t) => t.innerText));

// What the canvas holds, in plain data.
const describeGraph = (page) => page.evaluate(() => {
  const app = window.comfyAPI.app.app;
  const graph = app.graph;
  const aio = graph.nodes.find((n) => n.type.startsWith("LTX23AIO_"));
  const origin = (input) => {
    const link = input.link === null ? null : graph.getLink(input.link);
    return link ? graph.getNodeById(link.origin_id).type : null;
  };
  return {
    types: graph.nodes.map((n) => n.type),
    aio: aio && {
      type: aio.type,
      title: aio.title,
      values: Object.fromEntries(aio.widgets.map((w) => [w.name, w.value])),
      linkedFrom: Object.fromEntries(aio.inputs.filter((i) => i.link !== null).map((i) => [i.name, origin(i)])),
      linkedTo: Object.fromEntries(aio.outputs.filter((o) => o.links?.length)
        .map((o) => [o.name, o.links.map((id) => graph.getNodeById(graph.getLink(id).target_id).type)])),
      serialized: aio.serialize().widgets_values,
    },
  };
});

// The sidebar's model-set picker as the page shows it.
const picker = (page) => page.evaluate(() => {
  const select = document.querySelector(".ltx23aio-setpicker select");
  return {
    label: document.querySelector(".ltx23aio-setpicker-row label")?.textContent,
    value: select?.value,
    auto: document.querySelector(".ltx23aio-auto")?.textContent ?? null,
    broken: [...document.querySelectorAll(".ltx23aio-setpicker option:disabled")].map((o) => ({ label: o.textContent, title: o.title })),
    brokenNote: document.querySelector(".ltx23aio-broken")?.textContent ?? null,
  };
});

// Clicks an AIO node's own upload button where the canvas drew it, as a person would, and gives
// the file chooser the file; waits until the widget names it.
// A tall node (media previews, the option widgets) can have its buttons below the window: pan to one.
async function panToButton(page, buttonName) {
  await page.evaluate((b) => {
    const app = window.comfyAPI.app.app;
    const node = window.ltx23aioPlaced;
    const button = node.widgets.find((w) => w.name === b);
    const [, y] = app.canvas.ds.convertOffsetToCanvas([0, node.pos[1] + button.y]);
    if (y > app.canvas.canvas.getBoundingClientRect().height - 80) app.canvas.ds.offset[1] -= y - 300;
    app.canvas.setDirty(true, true);
  }, buttonName);
  await page.waitForTimeout(300);
}

async function uploadThroughButton(page, buttonName, widgetName, file) {
  await panToButton(page, buttonName);
  const at = await page.evaluate((b) => {
    const app = window.comfyAPI.app.app;
    const node = window.ltx23aioPlaced;
    const button = node.widgets.find((w) => w.name === b);
    const rect = app.canvas.canvas.getBoundingClientRect();
    const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2,
      node.pos[1] + button.y + LiteGraph.NODE_WIDGET_HEIGHT / 2]);
    return { x: rect.left + x, y: rect.top + y };
  }, buttonName);
  const chosen = page.waitForEvent("filechooser", { timeout: WAIT });
  await page.waitForTimeout(500);
  await page.mouse.click(at.x, at.y);
  await (await chosen).setFiles(file);
  await page.waitForFunction(([w, n]) => window.ltx23aioPlaced.widgets.find((x) => x.name === w).value === n,
    [widgetName, path.basename(file)], { timeout: WAIT });
}

const undo = async (page) => {
  await page.evaluate(() => window.comfyAPI.app.app.extensionManager.command.execute("Comfy.Undo"));
  await page.waitForTimeout(400);
};

const steps = {
  async open(page) {
    await openSidebar(page);
    await shot(page, "01-sidebar.png");
    return page.evaluate(() => ({
      heading: document.querySelector(".ltx23aio h2")?.textContent,
      modes: [...document.querySelectorAll(".ltx23aio-mode")].map((b) => b.textContent),
      hint: document.querySelector(".ltx23aio-hint")?.textContent,
    }));
  },

  // Six mode buttons in a row, nothing selected by the user in between: six nodes, placed apart
  // (the first at the view's centre), each selected as it is added.
  async add(page) {
    await freshCanvas(page);
    await openSidebar(page);
    const added = [];
    for (const id of await page.$$eval(".ltx23aio-mode", (bs) => bs.map((b) => b.dataset.mode))) {
      await page.click(`.ltx23aio-mode[data-mode="${id}"]`);
      added.push(await page.evaluate(() => {
        const app = window.comfyAPI.app.app;
        const node = app.graph.nodes.at(-1);
        const rect = app.canvas.canvas.getBoundingClientRect();
        const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2, node.pos[1] + node.size[1] / 2]);
        return { type: node.type, selected: app.canvas.selectedItems.has(node), box: [...node.pos, ...node.size],
          offCentre: [x - rect.width / 2, y - rect.height / 2] };
      }));
    }
    const hint = await page.textContent(".ltx23aio-hint");
    await fitView(page);
    await shot(page, "02-add-every-mode.png");
    return { added, hint, count: await page.evaluate(() => window.comfyAPI.app.app.graph.nodes.length) };
  },

  // The panel at each size and theme: nothing overflows, the title stays while it scrolls.
  async layout(page) {
    const results = [];
    // The element that scrolls the panel: the tab's root or the container ComfyUI puts it in.
    await page.evaluate(() => {
      window.scroller = () => {
        for (let e = document.querySelector(".ltx23aio"); e; e = e.parentElement) {
          if (/(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight) return e;
        }
        return document.querySelector(".ltx23aio");
      };
    });
    await freshCanvas(page);
    await openSidebar(page);
    await openSection(page, "t2v");
    await openSection(page, "style");
    for (const [width, height] of [[1280, 720], [1600, 1000]]) {
      for (const theme of ["dark", "light"]) {
        await page.setViewportSize({ width, height });
        await page.evaluate((t) => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.ColorPalette", t), theme);
        await page.waitForTimeout(600);
        await page.evaluate(() => { scroller().scrollTop = 0; });
        await shot(page, `20-layout-${width}x${height}-${theme}.png`);
        await page.evaluate(() => { scroller().scrollTop = 400; });
        await page.waitForTimeout(200);
        await shot(page, `21-layout-${width}x${height}-${theme}-scrolled.png`);
        results.push(await page.evaluate(([w, h, t]) => {
          const root = document.querySelector(".ltx23aio");
          const box = root.getBoundingClientRect();
          const right = (sel) => Math.max(...[...root.querySelectorAll(sel)].map((e) => e.getBoundingClientRect().right));
          const title = root.querySelector(".ltx23aio-title").getBoundingClientRect();
          const badge = root.querySelector(".ltx23aio-badge");
          return { size: `${w}x${h}`, theme: t, darkBody: document.body.classList.contains("dark-theme"),
            overflowX: root.scrollWidth - root.clientWidth, refreshRight: right(".ltx23aio-refresh") - box.right,
            widest: right(".ltx23aio *") - box.right, scrolled: scroller().scrollTop,
            titleTop: Math.round(title.top - Math.max(box.top, scroller().getBoundingClientRect().top)),
            badge: badge && { fg: getComputedStyle(badge).color, bg: getComputedStyle(badge).backgroundColor },
            namesWithBreaks: [...root.querySelectorAll(".ltx23aio-file-name")].every((n) => n.querySelector("wbr") || !/[-_.]/.test(n.textContent)) };
        }, [width, height, theme]));
      }
    }
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.ColorPalette", "dark"));
    await page.evaluate(() => { scroller().scrollTop = 0; });
    await page.setViewportSize({ width: 1400, height: 900 });
    return results;
  },

  // Help pages: the frontend's first request (docs/<NodeId>/<locale>.md) is answered.
  async help(page) {
    const missing = [];
    const onResponse = (r) => { if (r.url().includes("/docs/") && r.status() >= 400) missing.push(`${r.status()} ${r.url()}`); };
    page.on("response", onResponse);
    const statuses = await page.evaluate(async ({ pack, ids }) => {
      const out = {};
      for (const id of ids) out[id] = (await fetch(`/extensions/${pack}/docs/${id}/en.md`)).status;
      return out;
    }, { pack: catalog.pack, ids: catalog.modes.map((m) => m.node_id) });
    // And as a user opens one: the node library's help for a node.
    await freshCanvas(page);
    await placeNode(page, "LTX23AIO_ImageToVideo");
    await page.evaluate(() => window.comfyAPI.app.app.canvas.selectNode(window.ltx23aioPlaced));
    const info = page.locator(".selection-toolbox button").nth(1);
    if (await info.isVisible().catch(() => false)) {
      await info.click();
      await page.waitForTimeout(1500);
      await shot(page, "22-help-page.png");
      await page.keyboard.press("Escape");
    }
    page.off("response", onResponse);
    return { statuses, missing };
  },

  // "Open example workflow" twice: the second goes back to the tab the first opened.
  async exampletab(page) {
    await dismissOverlays(page);
    await openSidebar(page);
    await openSection(page, "t2v");
    const count = () => page.evaluate(() => window.comfyAPI.app.app.extensionManager.workflow.openWorkflows
      .filter((w) => w.filename === "LTX2.3 AIO - Text to Video").length);
    await page.click('.ltx23aio-mode-section[data-mode="t2v"] [data-action="example"]');
    await page.waitForFunction(() => window.comfyAPI.app.app.graph.nodes.some((n) => n.type === "LTX23AIO_TextToVideo"), null, { timeout: WAIT });
    await dismissOverlays(page);
    const first = await count();
    // Change it, go to another tab, and open the example again: its tab, with the change.
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      app.graph.nodes.find((n) => n.type === "LTX23AIO_TextToVideo").widgets.find((w) => w.name === "prompt").value = "changed here";
      // What ComfyUI does after an edit (on the key or pointer release that made it).
      app.extensionManager.workflow.activeWorkflow.changeTracker.captureCanvasState();
    });
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.command.execute("Comfy.NewBlankWorkflow"));
    await page.waitForTimeout(800);
    await openSidebar(page);
    await openSection(page, "t2v");
    await page.click('.ltx23aio-mode-section[data-mode="t2v"] [data-action="example"]');
    await page.waitForFunction(() => window.comfyAPI.app.app.graph.nodes.some((n) => n.type === "LTX23AIO_TextToVideo"), null, { timeout: WAIT });
    await page.waitForTimeout(500);
    await dismissOverlays(page);
    const again = await count();
    const prompt = await page.evaluate(() => window.comfyAPI.app.app.graph.nodes.find((n) => n.type === "LTX23AIO_TextToVideo")
      .widgets.find((w) => w.name === "prompt").value);
    await shot(page, "23-example-tab-reused.png");
    return { first, again, prompt, active: await page.evaluate(() => window.comfyAPI.app.app.extensionManager.workflow.activeWorkflow?.filename) };
  },

  // One truth about model sets: the picker shows and sets what the selected (or next) node uses.
  async modelset(page) {
    await freshCanvas(page);
    await openSidebar(page);
    await page.waitForSelector(`.ltx23aio-setpicker option[value="tiny"]`, { state: "attached", timeout: WAIT });
    const fresh = await picker(page);
    await shot(page, "01b-modelset-new-nodes.png");
    const select = page.locator(".ltx23aio-setpicker select");
    await select.selectOption("tiny");
    await page.click('.ltx23aio-mode[data-mode="i2v"]');
    const modelsOf = () => page.evaluate(() => window.comfyAPI.app.app.graph.nodes.map((n) => n.widgets.find((w) => w.name === "models").value));
    const added = await modelsOf();
    await page.hover(".ltx23aio");
    const selected = await picker(page);
    await select.selectOption("hub-tiny");
    await page.waitForTimeout(300);
    const chosen = { node: await modelsOf(), picker: await picker(page) };
    await shot(page, "01c-modelset-selected-node.png");
    await undo(page);
    const undone = await modelsOf();
    // Changed on the node itself: the picker follows once the pointer comes back to the sidebar.
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = app.graph.nodes[0];
      node.widgets.find((w) => w.name === "models").value = "auto";
      app.canvas.deselectAll();
      app.canvas.selectNode(node);
    });
    await page.hover(".ltx23aio-hint");
    await page.waitForFunction(() => document.querySelector(".ltx23aio-auto"), null, { timeout: WAIT });
    const onAuto = { ...(await picker(page)), nodeShows: await page.evaluate(() =>
      window.comfyAPI.app.app.graph.nodes[0].widgets.find((w) => w.name === "models")._displayValue) };
    await shot(page, "01d-modelset-auto.png");
    // Back to auto for new nodes, as the later steps expect.
    await page.evaluate(() => window.comfyAPI.app.app.canvas.deselectAll());
    await page.hover(".ltx23aio-hint");
    await select.selectOption("auto");
    return { fresh, added, selected, chosen, undone, onAuto };
  },

  async switch(page) {
    await freshCanvas(page);
    await openSidebar(page);
    await page.click('.ltx23aio-mode[data-mode="i2v"]');
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = app.graph.nodes.find((n) => n.type === "LTX23AIO_ImageToVideo");
      const add = (type, dx, dy) => {
        const n = LiteGraph.createNode(type);
        n.pos = [node.pos[0] + dx, node.pos[1] + dy];
        app.graph.add(n);
        return n;
      };
      const image = add("LoadImage", -380, 0);
      image.widgets[0].value = "portrait.png";
      image.connect(0, node, node.findInputSlot("image_input"));
      const seed = add("PrimitiveInt", -380, 420);
      seed.widgets[0].value = 77;
      seed.connect(0, node, node.findInputSlot("seed"));
      node.connect(node.findOutputSlot("images"), add("PreviewImage", 480, 0), 0);
      const values = { prompt: "a fox trots through snow", negative_prompt: "blurry", width: 768, height: 512,
        duration: 3, fps: 25, preset: "Quality", models: "tiny", image_strength: 0.55, image: "portrait.png" };
      for (const [name, value] of Object.entries(values)) node.widgets.find((w) => w.name === name).value = value;
      app.canvas.deselectAll();
      app.canvas.selectNode(node);
    });
    await page.hover(".ltx23aio");
    const hint = await page.textContent(".ltx23aio-hint");
    await fitView(page);
    await shot(page, "03-switch-before.png");
    await page.click('.ltx23aio-mode[data-mode="lipsync"]');
    await page.waitForTimeout(300);
    const lipsync = { ...(await describeGraph(page)), toasts: await toasts(page) };
    await shot(page, "04-switch-to-lipsync.png");
    await dismissOverlays(page);
    await page.click('.ltx23aio-mode[data-mode="t2v"]');
    await page.waitForTimeout(300);
    const t2v = { ...(await describeGraph(page)), toasts: await toasts(page) };
    await shot(page, "05-switch-to-t2v.png");
    return { hint, lipsync, t2v };
  },

  // An uploaded image survives i2v → keyframe (as first_image); the node keeps its id, place,
  // size and pinned state; what has no place is named; undo gives back exactly the graph before.
  async switchkeep(page) {
    await freshCanvas(page);
    await closeSidebar(page);
    await placeNode(page, "LTX23AIO_ImageToVideo");
    await uploadThroughButton(page, "upload image…", "image", config.uploadImage);
    const graphNow = () => page.evaluate(() => {
      const g = window.comfyAPI.app.app.graph.serialize();
      return { nodes: g.nodes.map(({ id, type, pos, size, flags, widgets_values: values, inputs, outputs }) => ({ id, type, pos, size, flags, values,
        inputs: inputs?.map((i) => [i.name, i.link]), outputs: outputs?.map((o) => [o.name, o.links]) })), links: g.links };
    });
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = window.ltx23aioPlaced;
      const seed = LiteGraph.createNode("PrimitiveInt");
      seed.pos = [node.pos[0] - 300, node.pos[1]];
      app.graph.add(seed);
      seed.connect(0, node, node.findInputSlot("seed"));
      node.widgets.find((w) => w.name === "image_strength").value = 0.55;
      node.widgets.find((w) => w.name === "prompt").value = "the wind moves her hair";
      node.size = [520, node.size[1] + 120];
      node.pin(true);
      app.canvas.deselectAll();
      app.canvas.selectNode(node);
      app.canvas.emitBeforeChange();
      app.canvas.emitAfterChange();
    });
    await page.waitForTimeout(300);
    const before = await graphNow();
    await openSidebar(page);
    await page.hover(".ltx23aio-hint");
    await page.click('.ltx23aio-mode[data-mode="keyframe"]');
    await page.waitForTimeout(400);
    const after = await graphNow();
    const keyToasts = await toasts(page);
    await fitView(page);
    await shot(page, "05b-switch-upload-kept.png");
    await undo(page);
    const undone = await graphNow();
    await dismissOverlays(page);
    // Collapsed, and on to a mode without images: the image and the strength are named as dropped.
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = app.graph.nodes.find((n) => n.type === "LTX23AIO_ImageToVideo");
      node.collapse(true);
      app.canvas.deselectAll();
      app.canvas.selectNode(node);
    });
    await page.hover(".ltx23aio-hint");
    await page.click('.ltx23aio-mode[data-mode="t2v"]');
    await page.waitForTimeout(400);
    const collapsed = await graphNow();
    const t2vToasts = await toasts(page);
    await shot(page, "05c-switch-collapsed-to-t2v.png");
    return { before, after, undone, collapsed, keyToasts, t2vToasts };
  },

  // Media like core's loaders: a preview per medium for the chosen or uploaded file, one upload
  // control per medium in the classic and the Nodes 2.0 view, an empty chooser that reads empty.
  async media(page) {
    const previews = (selector) => page.evaluate((sel) => [...document.querySelectorAll(sel)].map((box) => {
      const m = box.querySelector("img, audio, video");
      const r = box.getBoundingClientRect();
      return { media: box.dataset.media, value: box.dataset.value, tag: m?.tagName.toLowerCase(), hidden: m?.hidden,
        loaded: m ? (m.tagName === "IMG" ? m.complete && m.naturalWidth > 0 : m.readyState >= 1) : false,
        videoWidth: m?.videoWidth ?? null, visible: r.width > 20 && r.height > 20,
        empty: box.querySelector(".ltx23aio-preview-empty")?.hidden === false ? box.querySelector(".ltx23aio-preview-empty").textContent : null };
    }), selector);
    const waitLoaded = (count) => page.waitForFunction((n) => {
      const ms = [...document.querySelectorAll(".ltx23aio-preview")].map((b) => b.querySelector("img, audio, video")).filter((m) => !m.hidden);
      return ms.length >= n && ms.every((m) => (m.tagName === "IMG" ? m.complete && m.naturalWidth > 0 : m.readyState >= 1));
    }, count, { timeout: WAIT }).catch(() => null);
    const out = {};
    await freshCanvas(page);
    await closeSidebar(page);
    // Lipsync: image picked in the list, audio uploaded through the node's button.
    await placeNode(page, "LTX23AIO_Lipsync");
    await page.evaluate(() => {
      const w = window.ltx23aioPlaced.widgets.find((x) => x.name === "image");
      w.value = "portrait.png";
      w.callback?.(w.value);
    });
    await uploadThroughButton(page, "upload audio…", "audio", config.uploadFile);
    await waitLoaded(2);
    out.lipsync = { previews: await previews(".ltx23aio-preview"),
      buttons: await page.evaluate(() => window.ltx23aioPlaced.widgets.filter((w) => w.type === "button").map((w) => w.name)) };
    await fitView(page);
    await shot(page, "30-media-lipsync.png");
    // Style transfer: the source video with its sound, and the style image.
    await freshCanvas(page);
    await placeNode(page, "LTX23AIO_StyleTransfer");
    await page.evaluate(() => {
      for (const [name, value] of [["video", "source.mp4"], ["style_image", "first.png"]]) {
        const w = window.ltx23aioPlaced.widgets.find((x) => x.name === name);
        w.value = value;
      }
      // Set without the chooser (as a loaded workflow does): the preview follows on the next frame.
      window.comfyAPI.app.app.canvas.setDirty(true, true);
    });
    await page.waitForTimeout(300);
    await waitLoaded(2);
    out.style = { previews: await previews(".ltx23aio-preview") };
    await fitView(page);
    await shot(page, "31-media-style.png");
    // First/Last frame: both images shown; then one emptied, as on an empty input folder.
    await freshCanvas(page);
    await placeNode(page, "LTX23AIO_FirstLastFrameToVideo");
    await page.evaluate(() => {
      const node = window.ltx23aioPlaced;
      node.widgets.find((x) => x.name === "first_image").value = "first.png";
      node.widgets.find((x) => x.name === "last_image").value = undefined;
      window.comfyAPI.app.app.canvas.setDirty(true, true);
    });
    await page.waitForTimeout(400);
    await waitLoaded(1);
    out.keyframe = { previews: await previews(".ltx23aio-preview"),
      shown: await page.evaluate(() => window.ltx23aioPlaced.widgets.find((x) => x.name === "last_image")._displayValue) };
    await page.evaluate(() => { window.ltx23aioPlaced.widgets.find((x) => x.name === "last_image").value = null; });
    out.keyframe.shownNull = await page.evaluate(() => window.ltx23aioPlaced.widgets.find((x) => x.name === "last_image")._displayValue);
    await fitView(page);
    await shot(page, "32-media-keyframe-empty.png");
    // The Nodes 2.0 view: ComfyUI's own upload control in each chooser, no second button; previews stay.
    await freshCanvas(page);
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.VueNodes.Enabled", true));
    await page.waitForTimeout(800);
    await placeNode(page, "LTX23AIO_Lipsync");
    await page.evaluate(() => {
      const node = window.ltx23aioPlaced;
      node.widgets.find((x) => x.name === "image").value = "portrait.png";
      node.widgets.find((x) => x.name === "audio").value = "speech.wav";
      node.ltx23aioRefreshMedia?.();
    });
    await page.waitForTimeout(1500);
    await waitLoaded(2);
    out.vue = await page.evaluate((id) => {
      const el = document.querySelector(`[data-node-id="${id}"]`);
      return { found: Boolean(el), packButtons: el ? [...el.querySelectorAll("button")].filter((b) => /upload .*…/.test(b.textContent)).length : null,
        text: el?.innerText.slice(0, 400) ?? null };
    }, await page.evaluate(() => String(window.ltx23aioPlaced.id)));
    out.vue.previews = await previews(".ltx23aio-preview");
    await fitView(page);
    await shot(page, "33-media-nodes2.png");
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.VueNodes.Enabled", false));
    await page.waitForTimeout(800);
    return out;
  },

  // The Nodes 2.0 view: a switch keeps the node (id, values) and undo restores it.
  async vue(page) {
    await freshCanvas(page);
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.VueNodes.Enabled", true));
    await page.waitForTimeout(800);
    await placeNode(page, "LTX23AIO_ImageToVideo");
    const graphNow = () => page.evaluate(() => {
      const g = window.comfyAPI.app.app.graph.serialize();
      return g.nodes.map(({ id, type, pos, widgets_values: values }) => ({ id, type, pos, values }));
    });
    await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = window.ltx23aioPlaced;
      node.widgets.find((w) => w.name === "image").value = "portrait.png";
      node.widgets.find((w) => w.name === "prompt").value = "waves roll in";
      app.canvas.deselectAll();
      app.canvas.selectNode(node);
      app.extensionManager.workflow.activeWorkflow.changeTracker.captureCanvasState();
    });
    await page.waitForTimeout(500);
    const before = await graphNow();
    await openSidebar(page);
    await page.hover(".ltx23aio-hint");
    await page.click('.ltx23aio-mode[data-mode="keyframe"]');
    await page.waitForTimeout(1000);
    const after = await graphNow();
    const id = after[0]?.id;
    const dom = await page.evaluate((i) => {
      const el = document.querySelector(`[data-node-id="${i}"]`);
      return { found: Boolean(el), text: el?.innerText.slice(0, 300) ?? null,
        previews: el ? [...el.querySelectorAll(".ltx23aio-preview")].map((p) => p.dataset.media) : [] };
    }, String(id));
    await closeSidebar(page);
    await fitView(page);
    await shot(page, "34-nodes2-switched.png");
    await undo(page);
    await page.waitForTimeout(800);
    const undone = await graphNow();
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.VueNodes.Enabled", false));
    await page.waitForTimeout(800);
    return { before, after, dom, undone };
  },

  async menu(page) {
    await freshCanvas(page);
    await closeSidebar(page);
    await placeNode(page, "LTX23AIO_ImageToVideo");
    const title = await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = window.ltx23aioPlaced;
      const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + 100, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT / 2]);
      return { x, y };
    });
    await page.mouse.click(title.x, title.y, { button: "right" });
    await page.getByText("LTX2.3 AIO mode", { exact: true }).click();
    const lipsync = page.getByText("Lipsync", { exact: true }).last();
    await lipsync.waitFor({ timeout: WAIT });
    await shot(page, "06-node-menu.png");
    await lipsync.click();
    await page.waitForTimeout(300);
    return describeGraph(page);
  },

  async upload(page) {
    await freshCanvas(page);
    await closeSidebar(page);
    await placeNode(page, "LTX23AIO_Lipsync");
    // The option widgets make the node taller: place it higher so its upload buttons are in the window.
    await page.evaluate(() => { window.ltx23aioPlaced.pos[1] = -120; window.comfyAPI.app.app.canvas.setDirty(true, true); });
    await page.waitForTimeout(300);
    // Click the button where the canvas drew it, as a person would.
    const at = await page.evaluate(() => {
      const app = window.comfyAPI.app.app;
      const node = window.ltx23aioPlaced;
      const button = node.widgets.find((w) => w.name === "upload audio…");
      const rect = app.canvas.canvas.getBoundingClientRect();
      const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2,
        node.pos[1] + button.y + LiteGraph.NODE_WIDGET_HEIGHT / 2]);
      return { x: rect.left + x, y: rect.top + y,
        buttons: node.widgets.filter((w) => w.type === "button").map((w) => w.name) };
    });
    // Listen before clicking and give Playwright time to start intercepting file choosers: a
    // chooser opened before that goes to the (invisible) native dialog.
    const chosen = page.waitForEvent("filechooser", { timeout: WAIT });
    await page.waitForTimeout(500);
    await page.mouse.click(at.x, at.y);
    const chooser = await chosen;
    await chooser.setFiles(config.uploadFile);
    const name = path.basename(config.uploadFile);
    await page.waitForFunction((n) => window.ltx23aioPlaced.widgets.find((w) => w.name === "audio").value === n,
      name, { timeout: WAIT });
    await shot(page, "07-upload.png");
    const result = await page.evaluate(() => {
      const node = window.ltx23aioPlaced;
      return { value: node.widgets.find((w) => w.name === "audio").value, widgets: node.widgets.length,
        serialized: node.serialize().widgets_values };
    });
    return { ...result, buttons: at.buttons };
  },

  async setting(page) {
    const before = await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.get("LTX23AIO.AutoDownload"));
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("LTX23AIO.AutoDownload", false));
    await page.waitForTimeout(500);
    const stored = await page.evaluate(async () => (await (await window.comfyAPI.api.api.fetchApi("/settings")).json())["LTX23AIO.AutoDownload"]);
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("LTX23AIO.AutoDownload", true));
    await page.waitForTimeout(500);
    return { before, stored };
  },

  // A download the hub refuses: the failure stays in the sidebar, with the reason and a retry,
  // after the toast has gone, until dismissed.
  async failure(page) {
    await freshCanvas(page);
    await openSidebar(page);
    const select = page.locator(".ltx23aio-setpicker select");
    await page.waitForSelector(`.ltx23aio-setpicker option[value="hub-bad"]`, { state: "attached", timeout: WAIT });
    await select.selectOption("hub-bad");
    await openSection(page, "t2v");
    const button = page.locator('.ltx23aio-mode-section[data-mode="t2v"] [data-action="download"]');
    await page.locator('.ltx23aio-mode-section[data-mode="t2v"] .ltx23aio-set', { hasText: "refused" }).waitFor({ timeout: WAIT });
    await button.click();
    await page.waitForSelector(".ltx23aio-failure", { timeout: 60_000 });
    const failures = () => page.evaluate(() => {
      const items = [...document.querySelectorAll(".ltx23aio-failure")];
      return { count: items.length, files: items.map((f) => f.dataset.file),
        reasons: items.map((f) => f.querySelector(".ltx23aio-failure-reason").textContent) };
    });
    const first = await failures();
    await shot(page, "08a-download-failed.png");
    await page.waitForTimeout(11_000);  // the error toast lives 10 s
    const later = await failures();
    await shot(page, "08b-download-failed-later.png");
    await page.click(".ltx23aio-failure [data-action=retry]");
    await page.waitForTimeout(3000);
    await page.waitForSelector(".ltx23aio-failure", { timeout: 60_000 });
    const retried = await failures();
    await page.click(".ltx23aio-failure [data-action=dismiss]");
    const dismissed = await failures();
    await select.selectOption("auto");
    return { first, later, retried, dismissed };
  },

  async download(page) {
    await freshCanvas(page);
    await openSidebar(page);
    const select = page.locator(".ltx23aio-setpicker select");
    await page.waitForSelector(`.ltx23aio-setpicker option[value="${config.modelSet}"]`, { state: "attached", timeout: WAIT });
    await select.selectOption(config.modelSet);
    const mode = config.downloadMode;  // its files are the model set's, served by the test hub
    await openSection(page, mode);
    const label = await select.locator("option:checked").textContent();
    await page.locator(`.ltx23aio-mode-section[data-mode="${mode}"] .ltx23aio-set`, { hasText: label }).waitFor({ timeout: WAIT });
    const button = page.locator(`.ltx23aio-mode-section[data-mode="${mode}"] [data-action="download"]`);
    await button.waitFor({ timeout: WAIT });
    const before = await page.textContent(`.ltx23aio-mode-section[data-mode="${mode}"] .ltx23aio-badge`);
    const totals = await page.textContent(".ltx23aio-totals");
    await page.evaluate(() => {
      window.ltx23aioEvents = [];
      window.comfyAPI.api.api.addEventListener("ltx23_aio.download", (e) => window.ltx23aioEvents.push(e.detail));
    });
    await shot(page, "08-download-before.png");
    await button.click();
    const seen = [];
    let midShot = false;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const now = await page.evaluate((m) => ({
        badge: document.querySelector(`.ltx23aio-mode-section[data-mode="${m}"] .ltx23aio-badge`)?.textContent,
        files: [...document.querySelectorAll(`.ltx23aio-mode-section[data-mode="${m}"] .ltx23aio-file`)]
          .map((f) => ({ name: f.dataset.file, state: f.dataset.state, percent: f.querySelector("progress")?.dataset.percent ?? null,
            cancel: Boolean(f.querySelector("[data-action=cancel]")) })),
      }), mode);
      if (JSON.stringify(now) !== JSON.stringify(seen.at(-1))) seen.push(now);
      if (!midShot && now.files.some((f) => f.state === "downloading" && Number(f.percent) > 0 && Number(f.percent) < 100)) {
        await shot(page, "09-download-progress.png");
        midShot = true;
      }
      if (now.badge === "ready") break;
      await page.waitForTimeout(100);
    }
    await shot(page, "10-download-done.png");
    // Once done, the panel has nothing more to ask the server.
    let statusReads = 0;
    const count = (r) => { if (r.url().includes("/ltx23_aio/models/status")) statusReads += 1; };
    await page.waitForTimeout(1000);
    page.on("request", count);
    await page.waitForTimeout(2000);
    page.off("request", count);
    return { before, totals, seen, events: await page.evaluate(() => window.ltx23aioEvents), statusReadsWhenIdle: statusReads };
  },

  async templates(page) {
    await freshCanvas(page);
    // The cards show their pictures as blob: URLs, so the thumbnails are seen on the network.
    const thumbnails = [];
    const onResponse = (r) => {
      if (decodeURIComponent(r.url()).includes(`/workflow_templates/${catalog.pack}/`) && r.url().endsWith(".jpg")) {
        thumbnails.push({ url: decodeURIComponent(r.url()), status: r.status(), type: r.headers()["content-type"] });
      }
    };
    page.on("response", onResponse);
    await page.locator(".templates-tab-button").click();
    const pack = page.locator("[role=dialog]").getByText(catalog.pack, { exact: true }).first();
    await page.locator('[role=dialog] h3:text-is("Extensions")').waitFor({ timeout: WAIT });
    // The Extensions group may be folded.
    if (!(await pack.waitFor({ timeout: 3000 }).then(() => true, () => false))) {
      await page.locator('[role=dialog] h3:text-is("Extensions")').click();
    }
    await pack.click();
    const cards = page.locator("[role=dialog] h3", { hasText: "LTX2.3 AIO - " });
    await cards.first().waitFor({ timeout: WAIT });
    // Cards render their picture once in view.
    for (let k = 0; k < catalog.modes.length; k++) await cards.nth(k).scrollIntoViewIfNeeded();
    const deadline = Date.now() + WAIT;
    while (new Set(thumbnails.map((t) => t.url)).size < catalog.modes.length && Date.now() < deadline) await page.waitForTimeout(100);
    await cards.first().scrollIntoViewIfNeeded();
    // Scrolled back, the cards in view draw their pictures again (the grid re-renders them): wait
    // for them, not for none, and take their widths in the same moment.
    const drawn = await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll("[role=dialog] img")];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0) && imgs.map((i) => i.naturalWidth);
    }, null, { timeout: WAIT, polling: 50 });
    page.off("response", onResponse);
    const listed = {
      titles: (await cards.allTextContents()).map((t) => t.trim()),
      thumbnails,
      shown: await drawn.jsonValue(),
    };
    await shot(page, "11-templates.png");
    await page.locator("[role=dialog] h3", { hasText: "LTX2.3 AIO - Lipsync" }).click();
    await page.waitForFunction(() => window.comfyAPI.app.app.graph.nodes.some((n) => n.type === "LTX23AIO_Lipsync"), null, { timeout: WAIT });
    const messages = page.locator("[data-testid=error-overlay-messages]");
    const missingModels = await messages.waitFor({ timeout: 8000 }).then(() => messages.innerText(), () => "");
    await page.waitForTimeout(1000);
    await shot(page, "12-template-opened.png");
    const inputs = await page.evaluate(async () => {
      const info = await (await window.comfyAPI.api.api.fetchApi("/object_info/LTX23AIO_Lipsync")).json();
      const optional = info.LTX23AIO_Lipsync.input.optional;
      return { image: optional.image[1].options, audio: optional.audio[1].options };
    });
    return { ...listed, missingModels, opened: await describeGraph(page), inputFolder: inputs };
  },

  async examples(page) {
    const results = {};
    for (const { id, node_id: nodeId } of catalog.modes) {
      await dismissOverlays(page);
      await openSidebar(page);
      await openSection(page, id);
      // Open already (from the Templates browser or an earlier step): the sidebar goes back to that tab.
      const reused = await page.evaluate((name) => window.comfyAPI.app.app.extensionManager.workflow.openWorkflows
        .some((w) => w.filename === name), catalog.modes.find((m) => m.id === id).example);
      await page.click(`.ltx23aio-mode-section[data-mode="${id}"] [data-action="example"]`);
      await page.waitForFunction((t) => window.comfyAPI.app.app.graph.nodes.some((n) => n.type === t), nodeId, { timeout: WAIT });
      // ComfyUI's own check of the workflow's model list (the fp8 files are not on this server).
      const messages = page.locator("[data-testid=error-overlay-messages]");
      const missingModels = await messages.waitFor({ timeout: 8000 }).then(() => messages.innerText(), () => "");
      const loaded = await describeGraph(page);
      await dismissOverlays(page);
      await page.evaluate(({ t, run }) => {
        const node = window.comfyAPI.app.app.graph.nodes.find((n) => n.type === t);
        for (const [name, value] of Object.entries(run)) {
          const widget = node.widgets.find((w) => w.name === name);
          if (widget) widget.value = value; // Text → Audio has no size
        }
      }, { t: nodeId, run: config.run });
      await closeSidebar(page);
      await page.click("[data-testid=queue-button]");
      // The result on the node: a video, or an audio player for a mode without picture.
      const video = await page.waitForFunction((m) => {
        const v = [...document.querySelectorAll("video, audio")].find((e) => e.src.includes(`filename=${m}_`) && e.readyState >= 1);
        return v && { src: decodeURIComponent(v.src), tag: v.tagName.toLowerCase(), width: v.videoWidth ?? 0,
                      height: v.videoHeight ?? 0, duration: v.duration };
      }, id, { timeout: RUN_WAIT, polling: 250 }).then((h) => h.jsonValue());
      await fitView(page);
      await shot(page, `13-example-${id}.png`);
      results[id] = { missingModels, loaded, video, reused };
    }
    return results;
  },

  // The LoRA and keyframe lists (core's DynamicCombo): a workflow saved before them loads in place,
  // rows set on the canvas survive a save and reload, and the node queues and runs with them.
  async lists(page) {
    await freshCanvas(page);
    const type = catalog.modes.find((m) => m.id === "keyframe").node_id;
    const old = await page.evaluate(async ({ t, name, pack }) => {
      const app = window.comfyAPI.app.app;
      const url = `/workflow_templates/${pack}/${encodeURIComponent(name)}.json`;
      const saved = await (await window.comfyAPI.api.api.fetchApi(url)).json();
      const node = saved.nodes.find((n) => n.type === t);
      node.widgets_values = node.widgets_values.slice(0, -2);  // as saved before the lists existed
      await app.loadGraphData(saved);
      const aio = app.graph.nodes.find((n) => n.type === t);
      return Object.fromEntries(aio.widgets.map((w) => [w.name, w.value]));
    }, { t: type, name: catalog.modes.find((m) => m.id === "keyframe").example, pack: catalog.pack });
    const rows = { keyframes: "3", "keyframes.image2": "portrait.png", "keyframes.time2": 0.2,
      "keyframes.strength2": 0.6, loras: "1", "loras.lora_name1": config.userLora, "loras.lora_strength1": 0.5 };
    const reloaded = await page.evaluate(async ({ t, rows, run }) => {
      const app = window.comfyAPI.app.app;
      const aio = app.graph.nodes.find((n) => n.type === t);
      for (const [name, value] of Object.entries({ ...run, ...rows, filename_prefix: "LTX2.3-AIO/lists" })) {
        aio.widgets.find((w) => w.name === name).value = value;
      }
      const saved = JSON.parse(JSON.stringify(app.graph.serialize()));
      app.graph.clear();
      await app.loadGraphData(saved);
      const again = app.graph.nodes.find((n) => n.type === t);
      return { names: again.widgets.map((w) => w.name), values: Object.fromEntries(again.widgets.map((w) => [w.name, w.value])),
        serialized: again.serialize().widgets_values };
    }, { t: type, rows, run: config.run });
    await dismissOverlays(page);
    await page.click("[data-testid=queue-button]");
    const video = await page.waitForFunction(() => {
      const v = [...document.querySelectorAll("video")].find((e) => e.src.includes("filename=lists_") && e.readyState >= 1);
      return v && { src: decodeURIComponent(v.src) };
    }, null, { timeout: RUN_WAIT, polling: 250 }).then((h) => h.jsonValue());
    await fitView(page);
    await shot(page, "14-lists.png");
    // Back to two keyframes, then to Text → Video: the LoRA rows go over, the keyframe count
    // (at its default) is not named as lost.
    await page.evaluate((t) => {
      const app = window.comfyAPI.app.app;
      const aio = app.graph.nodes.find((n) => n.type === t);
      aio.widgets.find((w) => w.name === "keyframes").value = "2";
      app.canvas.deselectAll();
      app.canvas.selectNode(aio);
    }, type);
    await dismissOverlays(page);
    await openSidebar(page);
    await page.click('.ltx23aio-mode[data-mode="t2v"]');
    await page.waitForTimeout(300);
    const switched = { ...(await describeGraph(page)), toasts: await toasts(page) };
    await closeSidebar(page);
    return { old, reloaded, video, switched };
  },
};

await withPage(config, report, save, { wait: WAIT, keep: (m) => m.text().includes("LTX2.3 AIO") }, async (page) => {
  await ready(page);
  catalog = await page.evaluate(async () => (await window.comfyAPI.api.api.fetchApi("/ltx23_aio/modes")).json());
  for (const [name, step] of Object.entries(steps)) {
    if (config.only?.length && !config.only.includes(name)) continue;
    try {
      report.steps[name] = await step(page);
    } catch (e) {
      report.errors[name] = e.stack ?? String(e);
      await shot(page, `error-${name}.png`).catch(() => {});
    }
    save();
  }
});
