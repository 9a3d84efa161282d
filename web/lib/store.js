// The sidebar's state lives here, not in the DOM: ComfyUI mounts the tab afresh each time it is
// opened, and downloads go on while it is closed.

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    update(change) {
      state = { ...state, ...(typeof change === "function" ? change(state) : change) };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
