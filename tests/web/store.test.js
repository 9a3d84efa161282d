import assert from "node:assert/strict";
import { test } from "node:test";

import { createStore } from "../../web/lib/store.js";

test("test_store_update_merges_and_tells_subscribers", () => {
  const store = createStore({ a: 1, b: 2 });
  const seen = [];
  store.subscribe((s) => seen.push(s));
  store.update({ b: 3 });
  store.update((s) => ({ a: s.a + 1 }));
  assert.deepEqual(store.get(), { a: 2, b: 3 });
  assert.equal(seen.length, 2);
});

test("test_store_unsubscribe_stops_the_calls", () => {
  const store = createStore({});
  let calls = 0;
  const stop = store.subscribe(() => calls++);
  stop();
  store.update({ x: 1 });
  assert.equal(calls, 0);
});
