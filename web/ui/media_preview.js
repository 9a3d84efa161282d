// A preview under each media input of an AIO node, as core's loaders have: the image, an audio
// player, or the video with its sound, for the file the chooser names (picked or uploaded). One
// DOM widget per medium, so both images of First/Last frame show; it works in the classic canvas
// and in the Nodes 2.0 view. Not saved with the workflow.

import { optionLabel, viewPath } from "../lib/uploads.js";

const HEIGHT = { image: 180, video: 180, audio: 54 };
const EMPTY_HEIGHT = 28; // one line: "No image chosen…" needs no picture's room

function mediaElement(kind) {
  if (kind === "image") return Object.assign(document.createElement("img"), { alt: "", draggable: false });
  const el = document.createElement(kind);
  el.controls = true;
  el.preload = "metadata";
  if (kind === "video") el.playsInline = true;
  return el;
}

export function addMediaPreview(node, media, combo, apiURL) {
  const box = document.createElement("div");
  box.className = `ltx23aio-preview ltx23aio-preview-${media.kind}`;
  box.dataset.media = media.name;
  const element = mediaElement(media.kind);
  const empty = Object.assign(document.createElement("div"), { className: "ltx23aio-preview-empty" });
  box.append(element, empty);
  let hasFile = false;
  const height = () => (hasFile ? HEIGHT[media.kind] : EMPTY_HEIGHT);
  const widget = node.addDOMWidget(`${media.name} preview`, "ltx23aio_preview", box, {
    serialize: false, hideOnZoom: false, getValue: () => "", setValue: () => {},
    getMinHeight: height, getMaxHeight: () => (media.kind === "audio" || !hasFile ? height() : undefined),
  });
  widget.serialize = false;
  widget.computeLayoutSize = () => ({ minHeight: height(), minWidth: 160,
    ...(media.kind === "audio" || !hasFile ? { maxHeight: height() } : {}) });
  // Nothing shown yet, not even "no file": on an empty input folder the chooser starts without a
  // value (undefined), which must be said too.
  let shown = Symbol("nothing shown yet");
  const update = () => {
    const value = combo.value;
    if (value === shown) return;
    shown = value;
    const path = viewPath(value);
    box.dataset.value = path ? String(value) : "";
    element.hidden = !path;
    empty.hidden = Boolean(path);
    empty.textContent = `No ${media.kind} chosen: pick a file or upload one`;
    if (path) element.src = apiURL(path);
    else element.removeAttribute("src");
    // The canvas lays the widgets out again (and grows the node when they need more room).
    hasFile = Boolean(path);
    node.setDirtyCanvas?.(true, true);
  };
  // A file the browser cannot show (damaged, or a format it does not play) is said in words.
  element.addEventListener("error", () => {
    if (!element.getAttribute("src")) return;
    element.hidden = true;
    empty.hidden = false;
    empty.textContent = `${shown} cannot be shown here`;
  });
  update();
  return { widget, update };
}

// The chooser of a medium: reads as empty when there is no file, and tells its preview when the
// value changes (picked in the list, uploaded, loaded with a workflow).
export function watchMediaCombo(combo, update) {
  combo.options ??= {};
  combo.options.getOptionLabel ??= optionLabel;
  const callback = combo.callback;
  combo.callback = function (...args) {
    const result = callback?.apply(this, args);
    update();
    return result;
  };
}
