// Room for the whole of an AIO node's progress text. ComfyUI shows a node's progress text in a
// widget it gives a fixed two lines; the AIO node's text (the stage, then the run's summary) takes
// three to five at the node's width, and the rest was cut off. After the page has drawn a new
// text, the widget asks for the height the text takes and the node grows to hold it (never
// shrinks: the node does not jump while the stages go by).

export const PROGRESS_TEXT = "$$node-text-preview"; // ComfyUI's name for the widget
const PADDING = 22; // the widget's box less its text (ComfyUI's min height 58 holds 38 of text), and 2 to spare
const MOST = 240; // the tallest it grows: a longer text is cut there

// The height the widget asks for, in canvas units, from its text's height on the page.
export function neededHeight(textPx, scale, current) {
  if (!(textPx > 0) || !(scale > 0)) return current;
  return Math.min(MOST, Math.max(current, Math.ceil(textPx / scale) + PADDING));
}

// The page element showing `text`: ComfyUI renders the widget over the canvas as a <span> of the
// text (newlines as <br>) in a `.dom-widget` box; the one whose text this is.
function textElement(doc, text) {
  return [...doc.querySelectorAll(".dom-widget .break-all > span")].find((s) => s.innerText === text) ?? null;
}

export function fitProgressText(node, { document: doc = globalThis.document, scale = 1 } = {}) {
  const widget = node.widgets?.find((w) => w.name === PROGRESS_TEXT);
  if (!widget?.options || typeof widget.value !== "string") return false;
  const span = textElement(doc, widget.value);
  if (!span) return false;
  const base = widget.ltx23aioBase ??= widget.options.getMinHeight?.() ?? 58;
  const want = neededHeight(span.getBoundingClientRect().height, scale, widget.ltx23aioHeight ?? base);
  if (want === (widget.ltx23aioHeight ?? base)) return false;
  widget.ltx23aioHeight = want;
  widget.options.getMinHeight = () => widget.ltx23aioHeight;
  const size = node.computeSize?.();
  if (size && node.size[1] < size[1]) node.setSize([node.size[0], size[1]]);
  node.setDirtyCanvas?.(true, true);
  return true;
}

// On every progress text for an AIO node: once the page has drawn it, fit the widget to it.
export function followProgressText(app, api, isPackNode) {
  api.addEventListener("progress_text", (e) => {
    const node = app.canvas?.graph?.getNodeById?.(String(e.detail?.nodeId ?? "").split(":").at(-1));
    if (!node || !isPackNode(node)) return;
    // Two frames: Vue renders the new text after this event, the page lays it out after that.
    requestAnimationFrame(() => requestAnimationFrame(() => {
      fitProgressText(node, { scale: app.canvas?.ds?.scale ?? 1 });
    }));
  });
}
