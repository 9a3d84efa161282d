// One headless Chromium session for a browser-step script: a fresh profile, a page on the ComfyUI
// under test with console errors collected into the report, a time limit that still writes the
// report, and everything removed at the end, whether the steps pass, fail or hang.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// `keep(message)` says which console messages besides errors go into report.console.
export async function withPage(config, report, save, { wait, keep = () => false }, steps) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ltx23aio-chromium-"));
  let browser = null;
  const guard = setTimeout(() => {
    report.errors.timeout = `the browser steps ran longer than ${config.limitSeconds} s`;
    save();
    Promise.resolve(browser?.close()).finally(() => {
      fs.rmSync(profile, { recursive: true, force: true });
      process.exit(2);
    });
  }, config.limitSeconds * 1000);
  try {
    // A persistent context is how Playwright takes a user-data-dir: a fresh one, removed at the end.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: config.chromium, headless: true, viewport: { width: 1400, height: 900 }, args: ARGS,
    });
    const page = browser.pages()[0] ?? await browser.newPage();
    page.setDefaultTimeout(wait);
    report.console = [];
    page.on("pageerror", (e) => report.console.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || keep(m)) report.console.push(`${m.type()}: ${m.text()}`);
    });
    await page.goto(config.url, { timeout: 60_000 });
    await steps(page);
  } finally {
    clearTimeout(guard);
    save();
    await browser?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// The ComfyUI page is usable: the app and the pack's sidebar tab are up, the splash gone.
export async function ready(page) {
  await page.waitForFunction(() => window.comfyAPI?.app?.app?.vueAppReady && window.LiteGraph
    && !document.querySelector("#splash-loader") && document.querySelector(".ltx23aio-tab-button"), null,
  { timeout: 60_000 });
}

// Closes what covers the canvas: dialogs, the error overlay, toasts.
export async function dismissOverlays(page) {
  for (let i = 0; i < 3 && await page.locator(".p-dialog-mask").count(); i++) {
    await page.keyboard.press("Escape");
    await page.waitForTimeout(300);
  }
  const dismiss = page.locator("[data-testid=error-overlay-dismiss]");
  if (await dismiss.isVisible()) await dismiss.click();
  await page.evaluate(() => document.querySelectorAll(".p-toast-close-button").forEach((b) => b.click()));
}
