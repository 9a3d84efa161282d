// Test data in the shapes the server sends (GET /ltx23_aio/modes) and the canvas gives.

export const MODES_PAYLOAD = {
  pack: "ltx23-aio",
  shared: ["prompt", "negative_prompt", "width", "height", "duration", "fps", "seed", "preset", "models"],
  example_media: ["ltx23_aio_portrait.png", "ltx23_aio_singing.mp3"],
  modes: [
    { id: "t2v", title: "Text → Video", node_id: "LTX23AIO_TextToVideo", example: "LTX2.3 AIO - Text to Video", media: [] },
    { id: "i2v", title: "Image → Video", node_id: "LTX23AIO_ImageToVideo", example: "LTX2.3 AIO - Image to Video",
      media: [{ name: "image", kind: "image", socket: "image_input" }] },
    { id: "lipsync", title: "Lipsync", node_id: "LTX23AIO_Lipsync", example: "LTX2.3 AIO - Lipsync",
      media: [{ name: "image", kind: "image", socket: "image_input" }, { name: "audio", kind: "audio", socket: "audio_input" }] },
    { id: "keyframe", title: "First/Last frame → Video", node_id: "LTX23AIO_FirstLastFrameToVideo",
      example: "LTX2.3 AIO - First-Last frame to Video",
      media: [{ name: "first_image", kind: "image", socket: "first_image_input" },
        { name: "last_image", kind: "image", socket: "last_image_input" }] },
  ],
};

const IMAGES = ["a.png", "b.png"];
const SETS = ["auto", "fp8", "tiny"];

function shared(mode, values = {}) {
  return [
    { name: "prompt", value: values.prompt ?? "" },
    { name: "negative_prompt", value: values.negative_prompt ?? "ugly" },
    { name: "width", value: values.width ?? 1280 },
    { name: "height", value: values.height ?? 704 },
    { name: "duration", value: values.duration ?? 5 },
    { name: "fps", value: values.fps ?? 24 },
    { name: "seed", value: values.seed ?? 0 },
    { name: "control_after_generate", value: values.control_after_generate ?? "randomize", values: ["fixed", "randomize"] },
    { name: "preset", value: values.preset ?? "Fast", values: ["Fast", "Balanced", "Quality"] },
    { name: "models", value: values.models ?? "auto", values: SETS },
    { name: "filename_prefix", value: values.filename_prefix ?? `LTX2.3-AIO/${mode}` },
  ];
}

const widgetInputs = (widgets) => widgets.filter((w) => w.name !== "control_after_generate")
  .map((w) => ({ name: w.name, type: w.values ? "COMBO" : typeof w.value === "string" ? "STRING" : "FLOAT" }));

const OUTPUTS = [{ name: "video", type: "VIDEO" }, { name: "images", type: "IMAGE" }, { name: "audio", type: "AUDIO" }];

// A node as the canvas describes it; `links` wires inputs by name, `outLinks` outputs by name.
export function node(mode, { values = {}, links = {}, outLinks = {} } = {}) {
  const own = {
    t2v: { widgets: [], sockets: [] },
    i2v: { widgets: [{ name: "image_strength", value: values.image_strength ?? 0.7 },
      { name: "image", value: values.image ?? "a.png", values: IMAGES }], sockets: [{ name: "image_input", type: "IMAGE" }] },
    lipsync: { widgets: [{ name: "image_strength", value: values.image_strength ?? 0.7 },
      { name: "audio_start", value: values.audio_start ?? 0 }, { name: "image", value: values.image ?? "a.png", values: IMAGES },
      { name: "audio", value: values.audio ?? "s.mp3", values: ["s.mp3"] }],
    sockets: [{ name: "image_input", type: "IMAGE" }, { name: "audio_input", type: "AUDIO" }] },
    keyframe: { widgets: [{ name: "first_strength", value: 1 }, { name: "last_strength", value: 0.9 },
      { name: "first_image", value: values.first_image ?? "a.png", values: IMAGES },
      { name: "last_image", value: values.last_image ?? "b.png", values: IMAGES }],
    sockets: [{ name: "first_image_input", type: "IMAGE" }, { name: "last_image_input", type: "IMAGE" }] },
  }[mode];
  const widgets = [...shared(mode, values), ...own.widgets];
  return {
    widgets,
    inputs: [...own.sockets, ...widgetInputs(widgets)].map((i) => ({ ...i, link: links[i.name] ?? null })),
    outputs: OUTPUTS.map((o) => ({ ...o, links: outLinks[o.name] ?? [] })),
  };
}

export const defaultsOf = (mode) => Object.fromEntries([
  ["prompt", ""], ["negative_prompt", "ugly"], ["width", 1280], ["height", 704], ["duration", 5], ["fps", 24],
  ["seed", 0], ["preset", "Fast"], ["models", "auto"], ["filename_prefix", `LTX2.3-AIO/${mode}`],
  ["image_strength", 0.7], ["audio_start", 0], ["first_strength", 1], ["last_strength", 0.9],
]);
