// The modes as the server describes them (GET /ltx23_aio/modes), indexed for the sidebar.

export function modeCatalog(payload) {
  const modes = payload.modes.map((m) => ({ ...m, media: m.media ?? [] }));
  return {
    pack: payload.pack,
    shared: payload.shared ?? [],
    exampleMedia: payload.example_media ?? [],
    modes,
    byId: new Map(modes.map((m) => [m.id, m])),
    byNodeId: new Map(modes.map((m) => [m.node_id, m])),
  };
}

// A node's class is `comfyClass` once registered; `type` is what a saved workflow names.
export function modeOfNode(node, catalog) {
  if (!node) return null;
  return catalog.byNodeId.get(node.comfyClass ?? node.type) ?? null;
}

export function aioNodes(items, catalog) {
  return [...items].filter((item) => modeOfNode(item, catalog));
}
