// Which of a node's widgets choose media files, read from the node's definition (object_info).
// ComfyUI adds its own upload button only to the first *required* image/audio/video combo of a
// node, so an AIO node (optional media, some with two) would get none: the pack adds its own.

const ACCEPT = { image_upload: "image/*", audio_upload: "audio/*,video/*", video_upload: "video/*" };
const KIND = { image_upload: "image", audio_upload: "audio", video_upload: "video" };

export function mediaWidgets(nodeData) {
  const inputs = { ...(nodeData?.input?.required ?? {}), ...(nodeData?.input?.optional ?? {}) };
  const found = [];
  for (const [name, spec] of Object.entries(inputs)) {
    const options = Array.isArray(spec) ? spec[1] : null;
    const flag = options && Object.keys(ACCEPT).find((key) => options[key] === true);
    if (flag) found.push({ name, kind: KIND[flag], accept: ACCEPT[flag], label: `upload ${name.replaceAll("_", " ")}…` });
  }
  return found;
}

// The file name ComfyUI stored an upload under ("sub/name" when it used a subfolder).
export function storedName(answer) {
  return answer.subfolder ? `${answer.subfolder}/${answer.name}` : answer.name;
}

// ComfyUI's /view address of a file a media widget names ("sub/name" lies in the input folder's
// subfolder "sub"); null for no file.
export function viewPath(value) {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value);
  const cut = text.lastIndexOf("/");
  const [subfolder, filename] = cut < 0 ? ["", text] : [text.slice(0, cut), text.slice(cut + 1)];
  const query = new URLSearchParams({ filename, type: "input", subfolder });
  return `/view?${query}`;
}

// What an empty media chooser shows instead of "undefined" or "null".
export const NO_FILE = "(none)";
export const optionLabel = (value) => (value === null || value === undefined || value === "" ? NO_FILE : String(value));

// ComfyUI's /view address of a file a node saved (an entry of its "audio" or "images" outputs).
export function resultPath(entry) {
  if (!entry?.filename) return null;
  const query = new URLSearchParams({ filename: entry.filename, type: entry.type ?? "output", subfolder: entry.subfolder ?? "" });
  return `/view?${query}`;
}
