import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";

import { contrastRatio } from "../../web/lib/contrast.js";

// ComfyUI frontend 1.45.20's own palettes (comfy_base of its "dark" and "light" colour palettes):
// the surfaces and text colours the sidebar borrows.
const COMFY = {
  dark: { "comfy-menu-bg": "#171718", "fg-color": "#fff", "descrip-text": "#999", "input-text": "#ddd", "comfy-input-bg": "#222" },
  light: { "comfy-menu-bg": "#FFFFFF", "fg-color": "#222", "descrip-text": "#444", "input-text": "#222", "comfy-input-bg": "#C9C9C9" },
};

// The pack's own colours per theme, read from the stylesheet the page loads.
function packColours() {
  const css = fs.readFileSync(new URL("../../web/ui/sidebar.css", import.meta.url), "utf8");
  const block = (selector) => {
    const at = css.indexOf(`${selector} {`);
    assert.ok(at >= 0, `no ${selector} block in sidebar.css`);
    const body = css.slice(at, css.indexOf("}", at));
    return Object.fromEntries([...body.matchAll(/--(ltx23aio-[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  };
  const light = block(".ltx23aio");
  return { light, dark: { ...light, ...block("body.dark-theme .ltx23aio") } };
}

const TEXT = [  // [foreground, background]: text, so AA for normal-size text (4.5:1)
  ["ltx23aio-ready-fg", "ltx23aio-ready-bg"],
  ["ltx23aio-missing-fg", "ltx23aio-missing-bg"],
  ["ltx23aio-downloading-fg", "ltx23aio-downloading-bg"],
  ["ltx23aio-error-fg", "comfy-menu-bg"],
  ["fg-color", "comfy-menu-bg"],
  ["descrip-text", "comfy-menu-bg"],
  ["input-text", "comfy-input-bg"],
];
const MARKS = [  // state marks and the selection outline: non-text, AA 3:1 against the panel
  ["ltx23aio-present-mark", "comfy-menu-bg"],
  ["ltx23aio-missing-mark", "comfy-menu-bg"],
  ["ltx23aio-accent", "comfy-menu-bg"],
  ["ltx23aio-error-border", "comfy-menu-bg"],
];

for (const theme of ["light", "dark"]) {
  test(`test_sidebar_colour_pairs_meet_wcag_aa_in_the_${theme}_theme`, () => {
    const colours = { ...COMFY[theme], ...packColours()[theme] };
    const failing = [];
    for (const [pairs, minimum] of [[TEXT, 4.5], [MARKS, 3]]) {
      for (const [fg, bg] of pairs) {
        const ratio = contrastRatio(colours[fg], colours[bg]);
        if (ratio < minimum) failing.push(`${fg} on ${bg}: ${ratio.toFixed(2)} < ${minimum}`);
      }
    }
    assert.deepEqual(failing, []);
  });
}

// An AIO node's own text (an empty media preview says so) on the node: the classic canvas's
// NODE_DEFAULT_BGCOLOR and the Nodes 2.0 view's --component-node-background, per theme.
const NODE_BACKGROUNDS = { dark: ["#353535", "#262729"], light: ["#F5F5F5", "#FFFFFF"] };

for (const theme of ["light", "dark"]) {
  test(`test_an_empty_media_previews_text_meets_wcag_aa_on_the_node_in_the_${theme}_theme`, () => {
    const css = fs.readFileSync(new URL("../../web/ui/sidebar.css", import.meta.url), "utf8");
    const variable = css.match(/\.ltx23aio-preview-empty \{[^}]*color: var\(--([\w-]+)\)/)[1];
    for (const bg of NODE_BACKGROUNDS[theme]) {
      const ratio = contrastRatio(COMFY[theme][variable], bg);
      assert.ok(ratio >= 4.5, `${variable} on ${bg}: ${ratio.toFixed(2)}`);
    }
  });
}

test("test_contrastRatio_matches_known_values", () => {
  assert.equal(contrastRatio("#000", "#fff"), 21);
  assert.equal(contrastRatio("#777", "#777"), 1);
  assert.ok(Math.abs(contrastRatio("#767676", "#fff") - 4.54) < 0.01);
});

test("test_the_old_amber_on_light_would_fail", () => {
  // What the issue saw: amber "missing" text on the light panel.
  assert.ok(contrastRatio("#fbbf24", "#FFFFFF") < 4.5);
});
