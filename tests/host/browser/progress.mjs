// What an AIO node shows while it runs and when it fails, as ComfyUI's frontend renders it, on a
// running ComfyUI: the node's progress text (its DOM) and bar (node.progress, what the canvas
// draws) sampled every few milliseconds during a tiny run; a queue refused by the node's check in
// the error overlay and the Errors panel; a run-time failure there and on the node; a media chooser
// on an empty input folder in the classic and the Nodes 2.0 view. Writes what it
// saw to <out>/report.json after every step, and screenshots; test_browser_progress.py checks it.
// Usage: node progress.mjs '<config json>' with {url, out, chromium, run, refusedSet, failingSet,
// limitSeconds, only}.
import fs from "node:fs";
import path from "node:path";

import { withPage } from "./session.mjs";

const config = JSON.parse(process.argv[2]);
const WAIT = 20_000;
const RUN_WAIT = 180_000;
const NODE = "LTX23AIO_TextToVideo";
const report = { steps: {}, errors: {}, screenshots: [] };
const save = () => fs.writeFileSync(path.join(config.out, "report.json"), JSON.stringify(report, null, 1));

async function shot(page, name) {
  await page.screenshot({ path: path.join(config.out, name) });
  report.screenshots.push(name);
}

async function ready(page) {
  await page.waitForFunction(() => window.comfyAPI?.app?.app?.vueAppReady && window.LiteGraph
    && !document.querySelector("#splash-loader"), null, { timeout: 60_000 });
}

async function dismissOverlays(page) {
  const dismiss = page.locator("[data-testid=error-overlay-dismiss]");
  if (await dismiss.isVisible()) await dismiss.click();
  await page.evaluate(() => document.querySelectorAll(".p-toast-close-button").forEach((b) => b.click()));
}

// A T2V node alone on the canvas at scale 1, with the run's values typed in.
async function placeNode(page, values) {
  await dismissOverlays(page);
  await page.evaluate(({ type, values }) => {
    const app = window.comfyAPI.app.app;
    app.graph.clear();
    app.canvas.ds.scale = 1;
    app.canvas.ds.offset = [0, 0];
    const node = LiteGraph.createNode(type);
    node.pos = [420, 120];
    // An id not used before: the page keeps a node's last outputs (a video) by its id.
    window.ltx23aioNextId = (window.ltx23aioNextId ?? 100) + 1;
    node.id = window.ltx23aioNextId;
    app.graph.add(node);
    for (const [name, value] of Object.entries(values)) node.widgets.find((w) => w.name === name).value = value;
    app.canvas.setDirty(true, true);
    window.ltx23aioNode = node;
  }, { type: NODE, values });
  await page.waitForTimeout(300);
}

// Starts sampling what the node shows: its bar as the canvas draws it (node.progress, set by the
// frontend from the progress_state messages), the text of its progress widget as the page renders
// it, and the texts the server sent (progress_text events for this node), each change once.
const startSampling = (page) => page.evaluate(() => {
  const node = window.ltx23aioNode;
  // ComfyUI renders the progress text widget as a DOM widget over the canvas: a <span> of the
  // text (newlines made <br>) in a box of the node's width.
  const textElement = () => (node.widgets?.some((w) => w.name === "$$node-text-preview")
    ? [...document.querySelectorAll(".dom-widget")].find((d) => d.querySelector(".break-all > span")) ?? null : null);
  const sampled = { shown: [], sent: [], states: [], ended: null };
  const started = performance.now();
  const at = () => Math.round(performance.now() - started);
  const api = window.comfyAPI.api.api;
  const onText = (e) => { if (String(e.detail.nodeId) === String(node.id)) sampled.sent.push(e.detail.text); };
  const onState = (e) => sampled.states.push(Object.values(e.detail.nodes).filter((n) => n.state === "running")
    .map((n) => ({ id: n.node_id, display: n.display_node_id, value: n.value, max: n.max })));
  const onEnd = (e) => { sampled.ended ??= e.type; };
  api.addEventListener("progress_text", onText);
  api.addEventListener("progress_state", onState);
  api.addEventListener("execution_success", onEnd);
  api.addEventListener("execution_error", onEnd);
  let last = "";
  const timer = setInterval(() => {
    const el = textElement();
    const span = el?.querySelector(".break-all > span");
    const box = el?.getBoundingClientRect();
    const lines = span?.getBoundingClientRect();
    // What of the text falls outside its box (hidden: the box clips).
    const now = { bar: node.progress ?? null, text: span ? span.innerText : null,
      hiddenPx: span ? Math.max(0, Math.round(lines.bottom - box.bottom), Math.round(lines.right - box.right)) : null };
    const key = JSON.stringify([now.bar, now.text, now.hiddenPx]);
    if (key !== last) {
      last = key;
      sampled.shown.push({ t: at(), ...now });
    }
  }, 10);
  window.ltx23aioSampling = { sampled, stop: () => {
    clearInterval(timer);
    api.removeEventListener("progress_text", onText);
    api.removeEventListener("progress_state", onState);
    api.removeEventListener("execution_success", onEnd);
    api.removeEventListener("execution_error", onEnd);
    return sampled;
  } };
});

const stopSampling = (page) => page.evaluate(() => window.ltx23aioSampling.stop());

const shownText = (page) => page.evaluate(() => window.ltx23aioSampling.sampled.shown.at(-1)?.text ?? null);

async function queue(page) {
  await page.click("[data-testid=queue-button]");
}

// The job's end (as the page heard it), then its video in the page: one not shown before.
async function waitForRun(page, before) {
  await page.waitForFunction(() => window.ltx23aioSampling.sampled.ended, null, { timeout: RUN_WAIT, polling: 100 });
  return page.waitForFunction((seen) => {
    const v = [...document.querySelectorAll("video")].find((e) => e.src.includes("filename=t2v_") && e.readyState >= 1
      && !seen.includes(new URL(e.src).searchParams.get("filename")));
    return v ? new URL(v.src).searchParams.get("filename") : null;
  }, before, { timeout: WAIT, polling: 100 }).then((h) => h.jsonValue());
}

// The error overlay, then the Errors panel it opens, as the page shows them.
async function readErrors(page, name) {
  const messages = page.locator("[data-testid=error-overlay-messages]");
  await messages.waitFor({ timeout: RUN_WAIT });
  const overlay = await messages.innerText();
  await page.waitForTimeout(600);  // it fades in
  await shot(page, `${name}-overlay.png`);
  await page.click("[data-testid=error-overlay-see-errors]");
  const panel = page.locator("[data-testid=properties-panel]");
  await panel.waitFor({ timeout: WAIT });
  await page.waitForTimeout(800);
  const text = await panel.innerText();
  const html = await panel.innerHTML();
  await shot(page, `${name}-errors-panel.png`);
  // The report's box scrolls: a picture of its end too.
  const scrolled = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll("[data-testid=properties-panel] *")]
      .filter((e) => e.scrollHeight > e.clientHeight + 4 && getComputedStyle(e).overflowY !== "visible");
    const box = boxes.at(-1);
    if (!box) return null;
    box.scrollTop = box.scrollHeight;
    return { scrollHeight: box.scrollHeight, clientHeight: box.clientHeight };
  });
  await page.waitForTimeout(300);
  await shot(page, `${name}-errors-panel-end.png`);
  return { overlay, panel: text, panelHtmlEntities: html.match(/&amp;(#x2F|#x3D|apos|quot|amp|lt|gt);/g) ?? [], scrolled };
}

const steps = {
  // A cold run, then a rerun with another seed (the loaders' outputs cached): the texts and the
  // bar as the page shows them.
  async progress(page) {
    const runs = {};
    const videos = [];
    for (const [name, seed] of [["cold", 81], ["warm", 82]]) {
      await placeNode(page, { ...config.run, seed });
      await startSampling(page);
      await queue(page);
      let mid = false;
      if (name === "cold") {
        // A picture during the first sampler's steps, another once it ends.
        await page.waitForFunction(() => /^stage 1 · step [1-7]\//.test(window.ltx23aioSampling.sampled.shown.at(-1)?.text ?? ""),
          null, { timeout: RUN_WAIT, polling: 10 }).then(() => { mid = true; }, () => {});
        if (mid) await shot(page, "progress-mid-run.png");
      }
      const video = await waitForRun(page, videos);
      videos.push(video);
      await page.waitForTimeout(1000);
      await shot(page, `progress-${name}-end.png`);
      const sampled = await stopSampling(page);
      runs[name] = { ...sampled, video, midShot: mid, final: await page.evaluate(() => ({
        bar: window.ltx23aioNode.progress ?? null,
        widget: window.ltx23aioNode.widgets.find((w) => w.name === "$$node-text-preview")?.value ?? null,
      })) };
    }
    return runs;
  },

  // Queue refused by the node's own check: the model set's files are missing and automatic
  // download is off.
  async refused(page) {
    await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("LTX23AIO.AutoDownload", false));
    await page.waitForTimeout(500);
    try {
      await placeNode(page, { ...config.run, seed: 83, models: config.refusedSet });
      await queue(page);
      return await readErrors(page, "refused");
    } finally {
      await page.evaluate(() => window.comfyAPI.app.app.extensionManager.setting.set("LTX23AIO.AutoDownload", true));
      await page.waitForTimeout(500);
    }
  },

  // A run that fails once running: the hub refuses one of the model set's files.
  async failed(page) {
    await placeNode(page, { ...config.run, seed: 84, models: config.failingSet });
    await startSampling(page);
    await queue(page);
    const errors = await readErrors(page, "failed");
    await page.waitForTimeout(500);
    const sampled = await stopSampling(page);
    return { ...errors, sampled, nodeText: sampled.shown.at(-1)?.text ?? null };
  },

  // issue 13: on a server whose input folder is empty, a media chooser reads as empty in the
  // classic and in the Nodes 2.0 view.
  async emptymedia(page) {
    const placeMedia = async () => {
      await dismissOverlays(page);
      await page.evaluate(() => {
        const app = window.comfyAPI.app.app;
        app.graph.clear();
        const node = LiteGraph.createNode("LTX23AIO_ImageToVideo");
        node.pos = [420, 120];
        window.ltx23aioNextId = (window.ltx23aioNextId ?? 100) + 1;
        node.id = window.ltx23aioNextId;
        app.graph.add(node);
        app.canvas.setDirty(true, true);
        window.ltx23aioNode = node;
      });
      await page.waitForTimeout(1200);
    };
    const setVue = async (on) => {
      await page.evaluate((v) => window.comfyAPI.app.app.extensionManager.setting.set("Comfy.VueNodes.Enabled", v), on);
      await page.waitForTimeout(800);
    };
    await setVue(false);
    await placeMedia();
    const classic = await page.evaluate(() => {
      const w = window.ltx23aioNode.widgets.find((x) => x.name === "image");
      const preview = document.querySelector('.ltx23aio-preview[data-media="image"]');
      return { value: w.value ?? null, shown: w._displayValue ?? null, options: w.options?.values ?? null,
        preview: preview?.innerText ?? null, previewImageShown: preview ? !preview.querySelector("img").hidden : null };
    });
    await shot(page, "empty-media-classic.png");
    await setVue(true);
    try {
      await placeMedia();
      const vue = await page.evaluate(() => {
        const el = document.querySelector(`[data-node-id="${window.ltx23aioNode.id}"]`);
        if (!el) return { found: false };
        // The chooser of `image`: the widget row whose label reads "image".
        const rows = [...el.querySelectorAll("*")].filter((e) => e instanceof HTMLElement && e.children.length && /^image\b/.test(e.innerText.trim())
          && e.innerText.length < 120);
        const row = rows.at(-1);
        // The image's preview (Image → Video also has one for its optional voice reference).
        const previews = [...document.querySelectorAll('.ltx23aio-preview[data-media="image"]')].map((p) => {
          const r = p.getBoundingClientRect();
          return { media: p.dataset.media, text: p.innerText, imageShown: !p.querySelector("img").hidden,
            height: Math.round(r.height), inNode: el.contains(p) };
        });
        return { found: true, text: el.innerText, row: row?.innerText ?? null, previews };
      });
      await shot(page, "empty-media-nodes2.png");
      return { classic, vue };
    } finally {
      await setVue(false);
    }
  },
};

await withPage(config, report, save, { wait: WAIT }, async (page) => {
  await ready(page);
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
