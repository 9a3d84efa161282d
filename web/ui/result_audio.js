// An audio player for the result of an AIO node that makes sound only (Text → Audio): core adds its
// player to its own audio nodes alone (SaveAudio, PreviewAudio, …), and the FLAC the expansion
// saves is reported on the AIO node. Not saved with the workflow.

import { resultPath } from "../lib/uploads.js";

const HEIGHT = 54;

export function addResultAudio(node, apiURL) {
  const box = document.createElement("div");
  box.className = "ltx23aio-preview ltx23aio-preview-audio ltx23aio-result";
  const element = Object.assign(document.createElement("audio"), { controls: true, preload: "metadata", hidden: true });
  box.append(element);
  const widget = node.addDOMWidget("result audio", "ltx23aio_preview", box, {
    serialize: false, hideOnZoom: false, getValue: () => "", setValue: () => {},
    getMinHeight: () => HEIGHT, getMaxHeight: () => HEIGHT,
  });
  widget.serialize = false;
  widget.computeLayoutSize = () => ({ minHeight: HEIGHT, maxHeight: HEIGHT, minWidth: 160 });
  // Called with the node's outputs of a run (onExecuted): the first audio file it saved.
  return (output) => {
    const path = resultPath(output?.audio?.[0]);
    if (!path) return;
    element.src = apiURL(path);
    element.hidden = false;
  };
}
