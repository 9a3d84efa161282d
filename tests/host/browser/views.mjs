// The AIO node in each of ComfyUI's node views (the classic canvas and Nodes 2.0), at each window
// size and theme: nodes added in a row, media (placed by their sockets, previews, one upload
// control per medium, an empty chooser), a switch with undo, the sidebar's model set on the
// selected node with undo, and workflows saved by an earlier version. Writes what it saw to
// <out>/report.json after every step, plus screenshots; test_browser_views.py checks it.
// Usage: node views.mjs '<config json>' with {url, out, chromium, limitSeconds, uploadImage,
// uploadAudio, saved: {name: workflow}, only}.
import fs from "node:fs";
import path from "node:path";

import { dismissOverlays, ready, withPage } from "./session.mjs";

const config = JSON.parse(process.argv[2]);
const WAIT = 20_000;
const VIEWS = ["classic", "nodes2"];
const SIZES = [[1280, 720], [1600, 1000]];
const THEMES = ["dark", "light"];
const report = { steps: {}, errors: {}, screenshots: [] };
const save = () => fs.writeFileSync(path.join(config.out, "report.json"), JSON.stringify(report, null, 1));

async function shot(page, name) {
  await page.screenshot({ path: path.join(config.out, name) });
  report.screenshots.push(name);
}

const setting = (page, id, value) => page.evaluate(([i, v]) => window.comfyAPI.app.app.extensionManager.setting.set(i, v), [id, value]);

// A new blank workflow (its own tab): nothing of the last step's nodes, in either view.
async function freshCanvas(page) {
  await dismissOverlays(page);
  await page.evaluate(() => window.comfyAPI.app.app.extensionManager.command.execute("Comfy.NewBlankWorkflow"));
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    app.canvas.ds.scale = 1;
    app.canvas.ds.offset = [0, 0];
    app.canvas.setDirty(true, true);
  });
}

async function placeNode(page, type, pos = [420, 140]) {
  await page.evaluate(([t, p]) => {
    const app = window.comfyAPI.app.app;
    const node = LiteGraph.createNode(t);
    node.pos = p;
    app.graph.add(node);
    app.canvas.setDirty(true, true);
    window.ltx23aioPlaced = node;
  }, [type, pos]);
  await page.waitForTimeout(600);
}

async function openSidebar(page) {
  if (!(await page.locator(".ltx23aio").isVisible())) await page.locator(".ltx23aio-tab-button").click();
  await page.waitForSelector(".ltx23aio-mode", { timeout: WAIT });
}

async function closeSidebar(page) {
  if (await page.locator(".ltx23aio").isVisible()) await page.locator(".ltx23aio-tab-button").click();
}

// Fits the graph into the part of the window the sidebar leaves free, for the screenshots.
async function fitView(page) {
  await page.waitForTimeout(400);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const nodes = app.graph.nodes;
    if (!nodes.length) return;
    const left = Math.max(60, document.querySelector(".ltx23aio")?.getBoundingClientRect().right ?? 0) + 20;
    const [top, width, height] = [90, window.innerWidth - left - 40, window.innerHeight - 130];
    const title = LiteGraph.NODE_TITLE_HEIGHT;
    const x0 = Math.min(...nodes.map((n) => n.pos[0]));
    const y0 = Math.min(...nodes.map((n) => n.pos[1] - title));
    const x1 = Math.max(...nodes.map((n) => n.pos[0] + n.size[0]));
    const y1 = Math.max(...nodes.map((n) => n.pos[1] + n.size[1]));
    const scale = Math.min(width / (x1 - x0), height / (y1 - y0), 1.1);
    app.canvas.ds.scale = scale;
    app.canvas.ds.offset = [(left + (width - (x1 - x0) * scale) / 2) / scale - x0, (top + (height - (y1 - y0) * scale) / 2) / scale - y0];
    app.canvas.setDirty(true, true);
  });
  await page.waitForTimeout(500);
}

const undo = async (page) => {
  await page.evaluate(() => window.comfyAPI.app.app.extensionManager.command.execute("Comfy.Undo"));
  await page.waitForTimeout(700);
};

const toasts = (page) => page.evaluate(() => [...document.querySelectorAll(".p-toast-message")].map((t) => t.innerText));

// The graph as saved, in plain data (what undo must give back exactly).
const graphNow = (page) => page.evaluate(() => {
  const g = window.comfyAPI.app.app.graph.serialize();
  return { nodes: g.nodes.map(({ id, type, pos, size, flags, widgets_values: values, inputs, outputs }) => ({ id, type, pos, size, flags, values,
    inputs: inputs?.map((i) => [i.name, i.link]), outputs: outputs?.map((o) => [o.name, o.links]) })), links: g.links };
});

// An AIO node's widgets by name, as the node holds them, and its saved values.
const widgetsOf = (page, id) => page.evaluate((i) => {
  const node = window.comfyAPI.app.app.graph.getNodeById(i);
  return { type: node.type, values: Object.fromEntries(node.widgets.filter((w) => w.serialize !== false).map((w) => [w.name, w.value ?? null])),
    saved: node.serialize().widgets_values };
}, id);

// Where the node shows its sockets and widgets, in page pixels, top to bottom: from the canvas's
// layout in the classic view, from the DOM in the Nodes 2.0 view. Rows are named by widget
// ("image", "image preview", "upload image…") and sockets by input ("image_input").
const layoutOf = (page, id, view) => page.evaluate(([i, v]) => {
  const app = window.comfyAPI.app.app;
  const node = app.graph.getNodeById(i);
  if (v === "classic") {
    const rect = app.canvas.canvas.getBoundingClientRect();
    const toPage = ([x, y]) => { const [px, py] = app.canvas.ds.convertOffsetToCanvas([x, y]); return [rect.left + px, rect.top + py]; };
    const sockets = node.inputs.filter((s) => !s.widget).map((s) => ({ name: s.name, y: Math.round(toPage(node.getInputPos(node.inputs.indexOf(s)))[1]) }));
    const rows = node.widgets.filter((w) => !w.hidden && w.type !== "hidden").map((w) => ({ name: w.name,
      top: Math.round(toPage([0, node.pos[1] + w.y])[1]), text: w._displayValue ?? null }));
    return { sockets, rows };
  }
  const el = document.querySelector(`[data-node-id="${i}"]`);
  if (!el) return { sockets: [], rows: [], missing: true };
  const sockets = [...el.querySelectorAll("[data-testid=node-body-" + i + "] > div:first-child .lg-slot--input")]
    .map((s) => ({ name: s.innerText.trim(), y: Math.round(s.getBoundingClientRect().top + s.getBoundingClientRect().height / 2) }));
  const rows = [...el.querySelectorAll("[data-testid=node-widget]")].map((r) => {
    const preview = r.querySelector(".ltx23aio-preview");
    const label = r.querySelector("[data-testid=widget-layout-field-label], label")?.innerText.trim();
    const box = r.getBoundingClientRect();
    return { name: preview ? `${preview.dataset.media} preview` : label ?? r.innerText.trim().split("\n")[0],
      top: Math.round(box.top), height: Math.round(box.height), text: r.innerText.trim().slice(0, 120),
      uploads: r.querySelectorAll("input[type=file]").length };
  });
  return { sockets, rows };
}, [id, view]);

// The previews on the page: what each shows and whether it loaded.
const previews = (page) => page.evaluate(() => [...document.querySelectorAll(".ltx23aio-preview")].map((box) => {
  const m = box.querySelector("img, audio, video");
  const r = box.getBoundingClientRect();
  const empty = box.querySelector(".ltx23aio-preview-empty");
  return { media: box.dataset.media, value: box.dataset.value, tag: m?.tagName.toLowerCase(),
    loaded: m && !m.hidden ? (m.tagName === "IMG" ? m.complete && m.naturalWidth > 0 : m.readyState >= 1) : false,
    visible: r.width > 20 && r.height > 20 && getComputedStyle(box).visibility !== "hidden",
    empty: empty?.hidden === false ? empty.textContent : null,
    emptyColour: empty ? [getComputedStyle(empty).color, getComputedStyle(box).backgroundColor] : null };
}));

const waitLoaded = (page, count) => page.waitForFunction((n) => {
  const ms = [...document.querySelectorAll(".ltx23aio-preview")].map((b) => b.querySelector("img, audio, video")).filter((m) => !m.hidden);
  return ms.length >= n && ms.every((m) => (m.tagName === "IMG" ? m.complete && m.naturalWidth > 0 : m.readyState >= 1));
}, count, { timeout: WAIT }).catch(() => null);

// Chooses a file in a media chooser as the list does (value and callback).
const choose = (page, name, value) => page.evaluate(([n, v]) => {
  const w = window.ltx23aioPlaced.widgets.find((x) => x.name === n);
  w.value = v;
  w.callback?.(v);
}, [name, value]);

// Uploads a file through the node's one upload control for that medium, as a person would: the
// pack's button on the classic canvas, ComfyUI's own control in the chooser in Nodes 2.0.
async function upload(page, view, widgetName, file) {
  const id = await page.evaluate(() => window.ltx23aioPlaced.id);
  if (view === "classic") {
    const at = await page.evaluate((w) => {
      const app = window.comfyAPI.app.app;
      const node = window.ltx23aioPlaced;
      const button = node.widgets.find((x) => x.type === "button" && x.name === `upload ${w.replaceAll("_", " ")}…`);
      const rect = app.canvas.canvas.getBoundingClientRect();
      const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + node.size[0] / 2,
        node.pos[1] + button.y + LiteGraph.NODE_WIDGET_HEIGHT / 2]);
      return { x: rect.left + x, y: rect.top + y };
    }, widgetName);
    const chosen = page.waitForEvent("filechooser", { timeout: WAIT });
    await page.waitForTimeout(500);
    await page.mouse.click(at.x, at.y);
    await (await chosen).setFiles(file);
  } else {
    const row = page.locator(`[data-node-id="${id}"] [data-testid=node-widget]`)
      .filter({ has: page.locator(`[data-testid=widget-layout-field-label]:text-is("${widgetName}")`) });
    const chosen = page.waitForEvent("filechooser", { timeout: WAIT });
    await page.waitForTimeout(300);
    await row.locator("label:has(input[type=file])").click();
    await (await chosen).setFiles(file);
  }
  await page.waitForFunction(([w, n]) => window.ltx23aioPlaced.widgets.find((x) => x.name === w).value === n,
    [widgetName, path.basename(file)], { timeout: WAIT });
}

// Selects a node by clicking its title, as a person does.
async function clickTitle(page, id) {
  const at = await page.evaluate((i) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.getNodeById(i);
    const el = document.querySelector(`[data-node-id="${i}"] [data-testid=node-title]`);
    if (el && el.getBoundingClientRect().width) {
      const r = el.getBoundingClientRect();
      return { x: r.left + Math.min(60, r.width / 2), y: r.top + r.height / 2 };
    }
    const rect = app.canvas.canvas.getBoundingClientRect();
    const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + 60, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT / 2]);
    return { x: rect.left + x, y: rect.top + y };
  }, id);
  await page.mouse.click(at.x, at.y);
  await page.waitForTimeout(300);
}

// What one view, size and theme shows.
async function tour(page, view, [width, height], theme) {
  const tag = `${view}-${width}x${height}-${theme}`;
  await page.setViewportSize({ width, height });
  await setting(page, "Comfy.ColorPalette", theme);
  await setting(page, "Comfy.VueNodes.Enabled", view === "nodes2");
  await page.waitForTimeout(600);
  const out = { view, size: `${width}x${height}`, theme, darkBody: await page.evaluate(() => document.body.classList.contains("dark-theme")) };

  // Every mode button in a row: a node each, none on top of another, as the view draws them.
  await freshCanvas(page);
  await openSidebar(page);
  const modes = await page.$$eval(".ltx23aio-mode", (bs) => bs.map((b) => b.dataset.mode));
  for (const id of modes) await page.click(`.ltx23aio-mode[data-mode="${id}"]`);
  await page.waitForTimeout(800);
  out.added = await page.evaluate((v) => {
    const app = window.comfyAPI.app.app;
    return app.graph.nodes.map((n) => {
      const el = document.querySelector(`[data-node-id="${n.id}"]`);
      if (v === "nodes2" && el) {
        const r = el.getBoundingClientRect();
        const [x, y] = app.canvas.ds.convertCanvasToOffset([r.left - app.canvas.canvas.getBoundingClientRect().left,
          r.top - app.canvas.canvas.getBoundingClientRect().top]);
        return { type: n.type, box: [x, y, r.width / app.canvas.ds.scale, r.height / app.canvas.ds.scale], dom: true };
      }
      const title = LiteGraph.NODE_TITLE_HEIGHT;
      return { type: n.type, box: [n.pos[0], n.pos[1] - title, n.size[0], n.size[1] + title], dom: false };
    });
  }, view);
  await fitView(page);
  await shot(page, `${tag}-1-added.png`);

  // Lipsync: the image chosen in the list, the sound uploaded through the view's control.
  await freshCanvas(page);
  await closeSidebar(page);
  await placeNode(page, "LTX23AIO_Lipsync");
  await choose(page, "image", "portrait.png");
  await upload(page, view, "audio", config.uploadAudio);
  await waitLoaded(page, 2);
  const lipsyncId = await page.evaluate(() => window.ltx23aioPlaced.id);
  await page.waitForTimeout(300);
  out.lipsync = { layout: await layoutOf(page, lipsyncId, view), previews: await previews(page), ...(await widgetsOf(page, lipsyncId)),
    packButtons: await page.evaluate(() => window.ltx23aioPlaced.widgets.filter((w) => w.type === "button").map((w) => w.name)) };
  // Copied and pasted (LiteGraph's clone: serialize, then configure a new node): the same values.
  out.lipsync.copy = await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const copy = window.ltx23aioPlaced.clone();
    copy.pos = [window.ltx23aioPlaced.pos[0] + 520, window.ltx23aioPlaced.pos[1]];
    app.graph.add(copy);
    return copy.id;
  });
  await waitLoaded(page, 4);
  out.lipsync.copy = { ...(await widgetsOf(page, out.lipsync.copy)), previews: await previews(page) };
  await fitView(page);
  await shot(page, `${tag}-2-media-lipsync.png`);

  // First/Last frame: the first image uploaded, the last left empty.
  await freshCanvas(page);
  await placeNode(page, "LTX23AIO_FirstLastFrameToVideo");
  await choose(page, "last_image", null);
  await upload(page, view, "first_image", config.uploadImage);
  await waitLoaded(page, 1);
  const keyId = await page.evaluate(() => window.ltx23aioPlaced.id);
  await page.waitForTimeout(300);
  out.keyframe = { layout: await layoutOf(page, keyId, view), previews: await previews(page), ...(await widgetsOf(page, keyId)) };
  await fitView(page);
  await shot(page, `${tag}-3-media-keyframe-empty.png`);

  // A switch from the sidebar on the node the user clicked, then undo; the model set too.
  await freshCanvas(page);
  await placeNode(page, "LTX23AIO_ImageToVideo");
  await choose(page, "image", "portrait.png");
  const nodeId = await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const node = window.ltx23aioPlaced;
    const seed = LiteGraph.createNode("PrimitiveInt");
    seed.pos = [node.pos[0] - 300, node.pos[1]];
    app.graph.add(seed);
    seed.connect(0, node, node.findInputSlot("seed"));
    node.widgets.find((w) => w.name === "image_strength").value = 0.55;
    node.widgets.find((w) => w.name === "prompt").value = "the wind moves her hair";
    node.setSize([node.size[0] + 80, node.size[1] + 60]);
    app.canvas.emitBeforeChange();
    app.canvas.emitAfterChange();
    app.extensionManager.workflow.activeWorkflow.changeTracker.captureCanvasState();
    return node.id;
  });
  await page.waitForTimeout(300);
  await clickTitle(page, nodeId);
  await page.evaluate((i) => {
    const app = window.comfyAPI.app.app;
    app.graph.getNodeById(i).pin(true);
    app.extensionManager.workflow.activeWorkflow.changeTracker.captureCanvasState();
  }, nodeId);
  await page.waitForTimeout(300);
  const before = await graphNow(page);
  await openSidebar(page);
  await page.hover(".ltx23aio-hint");
  out.selectedHint = await page.textContent(".ltx23aio-hint");
  await page.click('.ltx23aio-mode[data-mode="keyframe"]');
  await page.waitForTimeout(700);
  const after = await graphNow(page);
  out.switched = { before, after, toasts: await toasts(page), layout: await layoutOf(page, nodeId, view),
    widgets: (await widgetsOf(page, nodeId)).values };
  await fitView(page);
  await shot(page, `${tag}-4-switched.png`);
  await undo(page);
  out.switched.undone = await graphNow(page);
  await shot(page, `${tag}-5-switch-undone.png`);
  await dismissOverlays(page);
  // The sidebar's model set goes to the selected node; undo takes it back.
  await clickTitle(page, nodeId);
  await page.hover(".ltx23aio-hint");
  const autoShown = (await layoutOf(page, nodeId, view)).rows.find((r) => r.name === "models")?.text ?? null;
  await page.locator(".ltx23aio-setpicker select").selectOption("tiny");
  await page.waitForTimeout(400);
  const models = () => page.evaluate((i) => window.comfyAPI.app.app.graph.getNodeById(i).widgets.find((w) => w.name === "models").value, nodeId);
  out.modelSet = { autoShown, picker: await page.textContent(".ltx23aio-setpicker-row label"), chosen: await models(),
    shown: (await layoutOf(page, nodeId, view)).rows.find((r) => r.name === "models")?.text ?? null };
  await undo(page);
  out.modelSet.undone = await models();
  // Collapsed, on to a mode without images: still collapsed, the image named as dropped; undo.
  await dismissOverlays(page);
  await page.evaluate((i) => {
    const app = window.comfyAPI.app.app;
    const node = app.graph.getNodeById(i);
    node.collapse(true);
    app.extensionManager.workflow.activeWorkflow.changeTracker.captureCanvasState();
  }, nodeId);
  await page.waitForTimeout(300);
  await clickTitle(page, nodeId);
  await page.hover(".ltx23aio-hint");
  const collapsedBefore = await graphNow(page);
  await page.click('.ltx23aio-mode[data-mode="t2v"]');
  await page.waitForTimeout(700);
  out.collapsed = { before: collapsedBefore, after: await graphNow(page), toasts: await toasts(page) };
  await shot(page, `${tag}-5b-collapsed-switched.png`);
  await undo(page);
  out.collapsed.undone = await graphNow(page);

  // Workflows saved by an earlier version of the pack: every value in its widget.
  out.saved = {};
  for (const [name, workflow] of Object.entries(config.saved)) {
    await dismissOverlays(page);
    await page.evaluate((w) => window.comfyAPI.app.app.loadGraphData(structuredClone(w), true, true, null), workflow);
    await page.waitForTimeout(1200);
    await dismissOverlays(page);
    const id = await page.evaluate(() => window.comfyAPI.app.app.graph.nodes.find((n) => n.type.startsWith("LTX23AIO_")).id);
    await page.evaluate((i) => { window.ltx23aioPlaced = window.comfyAPI.app.app.graph.getNodeById(i); }, id);
    await waitLoaded(page, 2);
    out.saved[name] = { ...(await widgetsOf(page, id)), layout: await layoutOf(page, id, view), previews: await previews(page) };
    await fitView(page);
    await shot(page, `${tag}-6-saved-${name}.png`);
  }
  return out;
}

// A tiny Text → Video run in the Nodes 2.0 view: the node's progress text as the page renders it
// (sampled every 20 ms), against the texts the server sent for the node.
async function progressInNodes2(page) {
  await page.setViewportSize({ width: 1280, height: 720 });
  await setting(page, "Comfy.ColorPalette", "dark");
  await setting(page, "Comfy.VueNodes.Enabled", true);
  await freshCanvas(page);
  await closeSidebar(page);
  await placeNode(page, "LTX23AIO_TextToVideo", [300, 120]);
  await page.evaluate((run) => {
    const node = window.ltx23aioPlaced;
    for (const [name, value] of Object.entries(run)) node.widgets.find((w) => w.name === name).value = value;
    const api = window.comfyAPI.api.api;
    const sampled = { sent: [], shown: [], ended: null };
    api.addEventListener("progress_text", (e) => { if (String(e.detail.nodeId) === String(node.id)) sampled.sent.push(e.detail.text); });
    for (const type of ["execution_success", "execution_error"]) api.addEventListener(type, (e) => { sampled.ended ??= e.type; });
    // The deepest element of the node showing the text last sent, and how much of it its
    // clipping boxes (up to the node) hide.
    const find = () => {
      const el = document.querySelector(`[data-node-id="${node.id}"]`);
      const text = sampled.sent.at(-1);
      if (!el || !text) return null;
      const first = text.split("\n")[0];
      const holders = [...el.querySelectorAll("*")].filter((e) => e.innerText?.trim().startsWith(first)
        && ![...e.children].some((c) => c.innerText?.trim().startsWith(first)));
      const holder = holders.at(-1);
      if (!holder) return { text: null };
      const r = holder.getBoundingClientRect();
      let hidden = 0;
      for (let a = holder.parentElement; a && a !== el.parentElement; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowY !== "visible" || a === el) hidden = Math.max(hidden, Math.round(r.bottom - a.getBoundingClientRect().bottom));
      }
      return { text: holder.innerText.trim(), hiddenPx: Math.max(0, hidden, holder.scrollHeight - holder.clientHeight) };
    };
    let last = "";
    window.ltx23aioTimer = setInterval(() => {
      const now = find();
      const key = JSON.stringify(now);
      if (now && key !== last) { last = key; sampled.shown.push(now); }
    }, 20);
    window.ltx23aioSampled = sampled;
  }, config.run);
  await page.click("[data-testid=queue-button]");
  await page.waitForFunction(() => window.ltx23aioSampled.sent.some((t) => t.startsWith("stage 1")), null, { timeout: 180_000, polling: 50 })
    .catch(() => null);
  await shot(page, "nodes2-progress-running.png");
  await page.waitForFunction(() => window.ltx23aioSampled.ended, null, { timeout: 180_000, polling: 100 });
  await page.waitForTimeout(800);
  await shot(page, "nodes2-progress-done.png");
  return page.evaluate(() => {
    clearInterval(window.ltx23aioTimer);
    return window.ltx23aioSampled;
  });
}

const steps = Object.fromEntries(VIEWS.flatMap((view) => SIZES.flatMap((size) => THEMES.map((theme) =>
  [`${view}-${size[0]}x${size[1]}-${theme}`, (page) => tour(page, view, size, theme)]))));
steps["nodes2-progress"] = progressInNodes2;

await withPage(config, report, save, { wait: WAIT, keep: (m) => m.text().includes("LTX2.3 AIO") }, async (page) => {
  await ready(page);
  await setting(page, "Comfy.Minimap.Visible", false);  // it would cover the nodes in the screenshots
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
  await setting(page, "Comfy.VueNodes.Enabled", false);
  await setting(page, "Comfy.ColorPalette", "dark");
});
