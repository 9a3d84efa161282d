import assert from "node:assert/strict";
import { test } from "node:test";

import { NO_SIDEBAR, TAB, installSidebar } from "../../web/ui/tab.js";

// A frontend is the one thing here that cannot exist: these stand in for its extension manager.
const controller = {};

test("test_installSidebar_registers_a_custom_tab", () => {
  const tabs = [];
  const ok = installSidebar({ extensionManager: { registerSidebarTab: (tab) => tabs.push(tab) } }, controller);
  assert.equal(ok, true);
  assert.equal(tabs.length, 1);
  assert.equal(tabs[0].id, TAB.id);
  assert.equal(tabs[0].title, "LTX2.3 AIO");
  assert.equal(tabs[0].type, "custom");
  assert.equal(typeof tabs[0].render, "function");
});

test("test_installSidebar_warns_and_toasts_without_sidebar_support", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const toasts = [];
  const ok = installSidebar({ extensionManager: { toast: { add: (m) => toasts.push(m) } } }, controller);
  assert.equal(ok, false);
  assert.match(warn.mock.calls[0].arguments[0], /sidebar is off/);
  assert.equal(toasts[0].severity, "warn");
  assert.equal(toasts[0].detail, NO_SIDEBAR);
});

test("test_installSidebar_warns_without_an_extension_manager", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  assert.equal(installSidebar({}, controller), false);
  assert.equal(warn.mock.callCount(), 1);
});
