// Media widgets where a user looks for them: each medium's chooser, upload button and preview
// first, right under the node's sockets. ComfyUI creates an AIO node's widgets in its
// definition's order (required inputs, then optional ones: the media came last) and saves their
// values by position (widgets_values) in that order. The node shows the media first but saves in
// the definition's order, so workflows saved by earlier versions load unchanged, workflows saved
// now load in earlier versions, and widgets_values keeps matching the node's definition.
//
// The pure part: orders of widget objects, values in and out. Widgets whose `serialize` is false
// (buttons, previews) have no saved value.

const saved = (w) => w.serialize !== false;

// The order shown: each medium's group (chooser, upload button, preview) in turn, then the other
// widgets in their order.
export function shownOrder(widgets, groups) {
  const first = groups.flat().filter((w) => widgets.includes(w));
  const moved = new Set(first);
  return [...first, ...widgets.filter((w) => !moved.has(w))];
}

// A list (the LoRAs, the keyframes: core's DynamicCombo, marked `ltx23aioRows`) shows its rows
// ("loras.lora_name1") right after its count once the count is set. ComfyUI saves and loads them
// there, by position: setting the count while loading adds the rows the next values go to.
const isList = (w) => w.ltx23aioRows === true;
const rowsOf = (list, widgets) => widgets.filter((w) => w.name.startsWith(`${list.name}.`));

// The widgets whose values are saved, in the saved order: the definition's (each list's rows
// after its count), then any widget added since (by another extension) in the order shown.
function savedWidgets(shown, created) {
  const present = new Set(shown);
  const known = new Set(created);
  const rows = new Set(created.filter(isList).flatMap((list) => rowsOf(list, shown)));
  return [...created.filter((w) => present.has(w)).flatMap((w) => (isList(w) ? [w, ...rowsOf(w, shown)] : [w])),
    ...shown.filter((w) => !known.has(w) && !rows.has(w))].filter(saved);
}

// ComfyUI's serialize writes widgets_values[i] for the i-th widget shown (a gap where one is not
// saved); this gives the values in the saved order, without gaps.
export function toSavedValues(shown, created, written) {
  const index = new Map(shown.map((w, i) => [w, i]));
  return savedWidgets(shown, created).map((w) => written[index.get(w)] ?? null);
}

// ComfyUI's configure gives the saved widgets shown, in turn, the values in the list until it
// runs out; this lists saved values in that order. A widget the saved list has no value for keeps
// its own (as ComfyUI leaves the widgets past the end of a short list), and the list ends with
// the last widget that has one.
export function toShownValues(shown, created, values) {
  const order = savedWidgets(shown, created);
  const inSaved = new Map(order.map((w, i) => [w, i]));
  // The lists and their rows end both orders (they come last in the definition, and the media
  // shown first are none of them): their values go over as saved, so each count comes before
  // the values of the rows it adds; the rows a saved list had are not on the node yet.
  const first = order.findIndex(isList);
  const tail = first < 0 ? [] : order.slice(first);
  const shownSaved = shown.filter(saved);
  const listsLast = first >= 0 && values.length > first
    && tail.every((w, i) => shownSaved[shownSaved.length - tail.length + i] === w);
  const head = listsLast ? shownSaved.slice(0, shownSaved.length - tail.length) : shownSaved;
  const out = head.map((w) => {
    const i = inSaved.get(w);
    return i < values.length ? { value: values[i], given: true } : { value: w.value, given: false };
  });
  if (listsLast) return [...out.map((v) => v.value), ...values.slice(first)];
  while (out.length && !out.at(-1).given) out.pop();
  return out.map((v) => v.value);
}
