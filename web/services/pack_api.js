// The pack's HTTP routes and ComfyUI's, through the frontend's api (which adds the /api prefix
// and the user's headers).

import { mediaPath, templatePath } from "../lib/examples.js";
import { storedName } from "../lib/uploads.js";

export class RequestError extends Error {
  constructor(message, status, kind) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

async function answer(response, what) {
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's or aiohttp's own error page; the status says enough.
  }
  if (!response.ok) {
    throw new RequestError(data?.error ?? `${what}: HTTP ${response.status}`, response.status, data?.kind);
  }
  return data;
}

export function packApi(api) {
  const get = async (path, what) => answer(await api.fetchApi(path, { cache: "no-store" }), what);
  const post = async (path, body, what) => answer(await api.fetchApi(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  }), what);
  return {
    modes: () => get("/ltx23_aio/modes", "modes"),
    status: (set) => get(`/ltx23_aio/models/status?set=${encodeURIComponent(set)}`, "model status"),
    download: (body) => post("/ltx23_aio/models/download", body, "download"),
    // 200 {"cancelled": [names]}; the websocket event then carries state "cancelled".
    cancel: (file) => post("/ltx23_aio/models/cancel", { file }, "cancel"),
    downloads: () => get("/ltx23_aio/models/downloads", "downloads"),
    expand: (body) => post("/ltx23_aio/expand", body, "editable nodes"),
    template: (pack, name) => get(templatePath(pack, name), `example ${name}`),
    // Through ComfyUI's own upload: it keeps one copy of identical files and renames a different
    // file of the same name, so the answer's name is the one to use.
    async uploadFile(file) {
      const form = new FormData();
      form.append("image", file);
      form.append("type", "input");
      return storedName(await answer(await api.fetchApi("/upload/image", { method: "POST", body: form }),
        `upload ${file.name}`));
    },
    async uploadMedia(pack, name) {
      const response = await api.fetchApi(mediaPath(pack, name));
      if (!response.ok) throw new RequestError(`example media ${name}: HTTP ${response.status}`, response.status);
      return this.uploadFile(new File([await response.blob()], name));
    },
  };
}
