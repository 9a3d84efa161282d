// "Open as editable nodes" in Chromium against a running ComfyUI: for each case, build an AIO node
// with some inputs wired, queue it, open it as editable nodes (right-click menu or sidebar),
// queue the subgraph, then Ctrl+Z. Writes <out>/editable.json and screenshots; the checks are in
// test_editable_browser.py. Usage: node editable.mjs '<config json>' with {url, out, chromium,
// cases: [{mode, values, wire: {input: {type, value}}, via}], limitSeconds, queue (false: skip the
// runs, when working on the page)}. Every wait is bounded.
import fs from "node:fs";
import path from "node:path";

import { withPage } from "./session.mjs";

const config = JSON.parse(process.argv[2]);
const WAIT = 20_000;
const RUN_WAIT = 240_000;
// A spot of empty canvas between the AIO node and its preview (not the minimap, which pans the view).
const EMPTY = [855, 700];
const report = { cases: {}, errors: {}, console: [] };
const save = () => fs.writeFileSync(path.join(config.out, "editable.json"), JSON.stringify(report, null, 1));
const shot = (page, name) => page.screenshot({ path: path.join(config.out, name) });

async function dismissOverlays(page) {
  for (let i = 0; i < 3 && await page.locator(".p-dialog-mask").count(); i++) {
    await page.keyboard.press("Escape");
    await page.waitForTimeout(300);
  }
  await page.evaluate(() => document.querySelectorAll(".p-toast-close-button").forEach((b) => b.click()));
}

// The AIO node and what is wired to it, on an empty canvas at scale 1.
async function build(page, c) {
  await page.evaluate(({ c }) => {
    const app = window.comfyAPI.app.app;
    app.canvas.setGraph?.(app.rootGraph);
    app.graph.clear();
    app.canvas.ds.scale = 0.8;
    app.canvas.ds.offset = [40, 60];
    const add = (type, pos) => {
      const n = LiteGraph.createNode(type);
      n.pos = pos;
      app.graph.add(n);
      return n;
    };
    const aio = add(c.nodeId, [560, 120]);
    for (const [name, value] of Object.entries(c.values)) aio.widgets.find((w) => w.name === name).value = value;
    const control = aio.widgets.find((w) => w.name === "control_after_generate");
    if (control) control.value = "fixed";
    let y = 40;
    for (const [input, { type, value }] of Object.entries(c.wire)) {
      const n = add(type, [60, y]);
      y += type === "PrimitiveStringMultiline" ? 160 : type === "LoadImage" ? 360 : 110;
      if (value !== undefined) n.widgets[0].value = value;
      n.connect(0, aio, aio.findInputSlot(input));
    }
    aio.connect(aio.findOutputSlot("images"), add("PreviewImage", [1100, 120]), 0);
    app.canvas.deselectAll();
    app.canvas.setDirty(true, true);
    window.ltx23aioCase = aio;
  }, { c });
  await page.waitForTimeout(500);
  // A click on empty canvas: ComfyUI records the built graph as the undo history's current state.
  await page.mouse.click(...EMPTY);
  await page.waitForTimeout(300);
}

// The whole root graph in plain data, for comparing before and after undo.
const snapshot = (page) => page.evaluate(() => {
  const g = window.comfyAPI.app.app.rootGraph.serialize();
  // ComfyUI's own reload of a saved state (what undo does) gives a node without widgets an empty
  // widgets_values and an unset upload widget "" instead of null: the same graph.
  return { nodes: g.nodes.map((n) => ({ id: n.id, type: n.type, widgets_values: (n.widgets_values ?? []).map((v) => v ?? ""),
    inputs: (n.inputs ?? []).map((i) => [i.name, i.link]), outputs: (n.outputs ?? []).map((o) => [o.name, o.links]) }))
    .sort((a, b) => a.id - b.id), links: g.links, subgraphs: (g.definitions?.subgraphs ?? []).length };
});

const describeEditable = (page) => page.evaluate(() => {
  const app = window.comfyAPI.app.app;
  const graph = app.rootGraph;
  const sub = graph.nodes.find((n) => n.isSubgraphNode?.());
  const typeOf = (id) => graph.getNodeById(id)?.type;
  const slotName = (s) => s.label ?? s.localized_name ?? s.name;
  return {
    types: graph.nodes.map((n) => n.type).filter((t) => !t?.includes("-")),
    subgraphNodes: graph.nodes.filter((n) => n.isSubgraphNode?.()).length,
    title: sub?.title,
    inputs: sub ? sub.inputs.map((i) => [slotName(i), i.link == null ? null : typeOf(graph.getLink(i.link).origin_id)]) : [],
    outputs: sub ? sub.outputs.map((o) => [slotName(o), (o.links ?? []).map((id) => typeOf(graph.getLink(id).target_id))]) : [],
    inner: sub ? sub.subgraph.nodes.map((n) => n.type).sort() : [],
    innerControls: sub ? sub.subgraph.nodes.flatMap((n) => (n.widgets ?? []).filter((w) => w.name === "control_after_generate")
      .map((w) => [n.type, w.value])) : [],
  };
});

// Queues what is on the canvas and waits for its history entry; returns the prompt id.
async function queue(page) {
  const response = page.waitForResponse((r) => r.url().endsWith("/api/prompt") && r.request().method() === "POST",
    { timeout: WAIT });
  await page.evaluate(() => window.comfyAPI.app.app.queuePrompt(0, 1));
  const answer = await (await response).json();
  if (!answer.prompt_id) throw new Error(`the prompt was refused: ${JSON.stringify(answer).slice(0, 2000)}`);
  // Polled from here: waitForFunction takes a promise for a truthy answer.
  const deadline = Date.now() + RUN_WAIT;
  for (;;) {
    const status = await page.evaluate(async (id) => {
      const h = await (await window.comfyAPI.api.api.fetchApi(`/history/${id}`)).json();
      return h[id]?.status ?? null;
    }, answer.prompt_id);
    if (status?.completed || status?.status_str === "error") break;
    if (Date.now() > deadline) throw new Error(`prompt ${answer.prompt_id} did not finish in ${RUN_WAIT / 1000} s`);
    await page.waitForTimeout(1000);
  }
  return answer.prompt_id;
}

async function openViaMenu(page) {
  const at = await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const node = window.ltx23aioCase;
    const rect = app.canvas.canvas.getBoundingClientRect();
    const [x, y] = app.canvas.ds.convertOffsetToCanvas([node.pos[0] + 60, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT / 2]);
    return { x: rect.left + x, y: rect.top + y };
  });
  await page.mouse.click(at.x, at.y, { button: "right" });
  const item = page.getByText("Open as editable nodes", { exact: true }).last();
  await item.waitFor({ timeout: WAIT });
  return item;
}

async function openViaSidebar(page) {
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    app.canvas.deselectAll();
    app.canvas.selectNode(window.ltx23aioCase);
  });
  if (!(await page.locator(".ltx23aio").isVisible())) await page.locator(".ltx23aio-tab-button").click();
  await page.hover(".ltx23aio");
  const button = page.locator(".ltx23aio-open-editable").first();
  await button.waitFor({ timeout: WAIT });
  return button;
}

async function runCase(page, c, n) {
  await dismissOverlays(page);
  await build(page, c);
  const before = await snapshot(page);
  await shot(page, `editable-${n}-${c.name}-1-aio.png`);
  const aioRun = config.queue === false ? null : await queue(page);
  await dismissOverlays(page);
  const control = await snapshot(page);  // after the run: a fixed seed has not moved
  const item = c.via === "sidebar" ? await openViaSidebar(page) : await openViaMenu(page);
  await shot(page, `editable-${n}-${c.name}-2-${c.via}.png`);
  await item.click();
  await page.waitForFunction(() => window.comfyAPI.app.app.rootGraph.nodes.some((n) => n.isSubgraphNode?.()), null, { timeout: WAIT });
  await page.waitForTimeout(500);
  const toasts = await page.evaluate(() => [...document.querySelectorAll(".p-toast-message")].map((t) => t.innerText));
  const editable = await describeEditable(page);
  if (c.via === "sidebar") await page.locator(".ltx23aio-tab-button").click();
  await dismissOverlays(page);
  await shot(page, `editable-${n}-${c.name}-3-subgraph.png`);
  // Undo as a person does: focus on the canvas, Ctrl+Z. (Before the run: ComfyUI records the
  // resizing of nodes that show a run's previews as undo steps of their own.)
  await page.mouse.click(...EMPTY);
  await page.keyboard.press("Control+z");
  await page.waitForFunction(() => window.comfyAPI.app.app.rootGraph.nodes.some((n) => n.type?.startsWith("LTX23AIO_")), null, { timeout: WAIT });
  await page.waitForTimeout(500);
  const undone = await snapshot(page);
  await shot(page, `editable-${n}-${c.name}-4-undone.png`);
  // Opened again from the restored node (not Ctrl+Y: ComfyUI drops the redo history when the
  // restored node's media previews load and resize it); this is the subgraph that runs.
  await page.evaluate(() => {
    window.ltx23aioCase = window.comfyAPI.app.app.rootGraph.nodes.find((n) => n.type?.startsWith("LTX23AIO_"));
  });
  await (c.via === "sidebar" ? await openViaSidebar(page) : await openViaMenu(page)).click();
  await page.waitForFunction(() => window.comfyAPI.app.app.rootGraph.nodes.some((n) => n.isSubgraphNode?.()), null, { timeout: WAIT });
  await page.waitForTimeout(500);
  const reopened = await describeEditable(page);
  if (c.via === "sidebar") await page.locator(".ltx23aio-tab-button").click();
  await dismissOverlays(page);
  const editableRun = config.queue === false ? null : await queue(page);
  await dismissOverlays(page);
  // Inside the subgraph, for the picture: the core nodes in columns. Last: opening a subgraph the
  // first time sizes its slots and previews, which ComfyUI also records as a change.
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    const sub = app.rootGraph.nodes.find((n) => n.isSubgraphNode?.());
    app.canvas.setGraph(sub.subgraph);
    const nodes = sub.subgraph.nodes;
    const x0 = Math.min(...nodes.map((m) => m.pos[0])) - 200;
    const y0 = Math.min(...nodes.map((m) => m.pos[1])) - 60;
    const x1 = Math.max(...nodes.map((m) => m.pos[0] + m.size[0])) + 200;
    const y1 = Math.max(...nodes.map((m) => m.pos[1] + m.size[1]));
    const scale = Math.min(1400 / (x1 - x0), 820 / (y1 - y0));
    app.canvas.ds.scale = scale;
    app.canvas.ds.offset = [-x0, -y0 + 60 / scale];
    app.canvas.setDirty(true, true);
  });
  await page.waitForTimeout(500);
  await shot(page, `editable-${n}-${c.name}-5-inside.png`);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    app.canvas.setGraph(app.rootGraph);
    app.canvas.ds.scale = 0.8;
    app.canvas.ds.offset = [40, 60];
  });
  await page.waitForTimeout(300);
  return { aioRun, editableRun, before, control, undone, editable, reopened, toasts };
}

// A width known only when the graph runs (GetImageSize of a loaded image): the command refuses
// with the server's message and leaves the canvas and its undo history as they were.
async function refused(page) {
  await dismissOverlays(page);
  await page.evaluate(() => {
    const app = window.comfyAPI.app.app;
    app.graph.clear();
    app.canvas.ds.scale = 0.8;
    app.canvas.ds.offset = [40, 60];
    const add = (type, pos) => {
      const n = LiteGraph.createNode(type);
      n.pos = pos;
      app.graph.add(n);
      return n;
    };
    const aio = add("LTX23AIO_TextToVideo", [560, 120]);
    aio.widgets.find((w) => w.name === "prompt").value = "a fox";
    aio.widgets.find((w) => w.name === "models").value = "tiny";
    aio.widgets.find((w) => w.name === "prompt_enhancer").value = false; // the tiny CLIP cannot run it
    const image = add("LoadImage", [40, 40]);
    image.widgets[0].value = "portrait.png";
    const size = add("GetImageSize", [300, 420]);
    image.connect(0, size, 0);
    size.connect(0, aio, aio.findInputSlot("width"));
    window.ltx23aioCase = aio;
  });
  await page.waitForTimeout(300);
  await page.mouse.click(...EMPTY);
  await page.waitForTimeout(300);
  const before = await snapshot(page);
  const undoSteps = () => page.evaluate(() => window.comfyAPI.app.app.extensionManager.workflow.activeWorkflow.changeTracker.undoQueue.length);
  const stepsBefore = await undoSteps();
  await (await openViaMenu(page)).click();
  const toast = page.locator(".p-toast-message", { hasText: "could not be opened as editable nodes" });
  await toast.waitFor({ timeout: WAIT });
  const text = await toast.innerText();
  await shot(page, "editable-7-refused.png");
  await page.waitForTimeout(500);
  return { text, unchanged: JSON.stringify(await snapshot(page)) === JSON.stringify(before), undoStepsAdded: (await undoSteps()) - stepsBefore };
}

// The frontend's own widget node (PrimitiveNode): a seed from it stays a link, a height from it is
// read and built in. Checked in the prompt the canvas would queue.
async function legacyPrimitive(page) {
  await dismissOverlays(page);
  await page.evaluate(async () => {
    const app = window.comfyAPI.app.app;
    app.graph.clear();
    const add = (type, pos) => {
      const n = LiteGraph.createNode(type);
      n.pos = pos;
      app.graph.add(n);
      return n;
    };
    const aio = add("LTX23AIO_TextToVideo", [560, 120]);
    for (const [k, v] of Object.entries({ prompt: "a fox", width: 128, height: 128, duration: 0.35, models: "tiny",
      prompt_enhancer: false })) {
      aio.widgets.find((w) => w.name === k).value = v;
    }
    const seed = add("PrimitiveNode", [60, 60]);
    seed.connect(0, aio, aio.findInputSlot("seed"));
    const height = add("PrimitiveNode", [60, 300]);
    height.connect(0, aio, aio.findInputSlot("height"));
    seed.widgets[0].value = 1234;
    height.widgets[0].value = 192;
    window.ltx23aioCase = aio;
  });
  await page.waitForTimeout(300);
  await (await openViaMenu(page)).click();
  await page.waitForFunction(() => window.comfyAPI.app.app.rootGraph.nodes.some((n) => n.isSubgraphNode?.()), null, { timeout: WAIT });
  await page.waitForTimeout(500);
  return page.evaluate(async () => {
    const app = window.comfyAPI.app.app;
    const prompt = Object.values((await app.graphToPrompt()).output);
    return {
      root: app.rootGraph.nodes.map((n) => n.type).filter((t) => !t.includes("-")),
      noiseSeeds: prompt.filter((n) => n.class_type === "RandomNoise").map((n) => n.inputs.noise_seed),
      stage1Height: prompt.find((n) => n.class_type === "EmptyLTXVLatentVideo").inputs.height,
    };
  });
}

await withPage(config, report, save, { wait: WAIT, keep: (m) => m.text().includes("LTX2.3 AIO") }, async (page) => {
  await page.waitForFunction(() => window.comfyAPI?.app?.app?.vueAppReady && window.LiteGraph
    && !document.querySelector("#splash-loader") && document.querySelector(".ltx23aio-tab-button"), null, { timeout: 60_000 });
  let n = 0;
  for (const c of config.cases) {
    n += 1;
    try {
      report.cases[c.name] = await runCase(page, c, n);
    } catch (e) {
      report.errors[c.name] = e.stack ?? String(e);
      await shot(page, `editable-error-${c.name}.png`).catch(() => {});
    }
    save();
  }
  try {
    report.legacyPrimitive = await legacyPrimitive(page);
  } catch (e) {
    report.errors.legacyPrimitive = e.stack ?? String(e);
  }
  try {
    report.refused = await refused(page);
  } catch (e) {
    report.errors.refused = e.stack ?? String(e);
    await shot(page, "editable-error-refused.png").catch(() => {});
  }
});
