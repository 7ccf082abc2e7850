/**
 * The module mailbox through which Web Workers get kernel modules added after they started:
 * entries come back as written (bytes and export names), in order; a full mailbox refuses an
 * entry without writing any of it; the worker's reader (in the worker source) follows the same
 * layout, checked in a real browser by `library.browser.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { createMailbox, MAILBOX, MAILBOX_DATA, MAILBOX_ENTRIES, mailboxCount, postModule, readModule } from "../../../src/backend/threads/module_mailbox.js";
import { encodeModule, FunctionBuilder } from "../../../src/backend/kernels/wasm/module_encoder.js";
import { webAssembly } from "../../../src/backend/kernels/wasm/webassembly_api.js";

/** A real module: `name() -> value` for each (name, value). */
function moduleBytes(exports: Record<string, number>): Uint8Array {
  const fns = Object.entries(exports).map(([name, value]) => {
    const f = new FunctionBuilder(name, ["i32"]);
    f.code.i32Const(value).end();
    return f;
  });
  return encodeModule({ module: "env", name: "memory", minPages: 1 }, fns);
}

describe("module mailbox", () => {
  it("gives back each module's bytes and export names, in order, and the modules compile and run", () => {
    const box = createMailbox();
    const written = [moduleBytes({ one: 1 }), moduleBytes({ two: 2, three: 3 }), moduleBytes({ four: 4 })];
    const names = [["one"], ["two", "three"], ["four"]];
    written.forEach((bytes, i) => expect(postModule(box, bytes, names[i]!)).toBe(true));
    expect(mailboxCount(box)).toBe(3);
    const memory = new webAssembly!.Memory({ initial: 1 });
    for (let i = 0; i < 3; i++) {
      const entry = readModule(box, i);
      expect(entry.names).toEqual(names[i]);
      expect(Array.from(entry.bytes)).toEqual(Array.from(written[i]!));
      const instance = new webAssembly!.Instance(new webAssembly!.Module(entry.bytes), { env: { memory } });
      for (const name of entry.names) expect((instance.exports[name] as () => number)()).toBe(Number({ one: 1, two: 2, three: 3, four: 4 }[name]));
    }
    expect(() => readModule(box, 3)).toThrow(/readModule: no entry 3 \(3 published\)/);
  });

  it("refuses an entry that does not fit, writing nothing of it, and takes a smaller one after", () => {
    const bytes = moduleBytes({ a: 1 });
    const box = createMailbox(MAILBOX_DATA + 2 * bytes.length + 20);
    expect(postModule(box, bytes, ["a"])).toBe(true);
    const used = box.words[MAILBOX.USED];
    const snapshot = Array.from(box.bytes.subarray(MAILBOX_DATA));
    expect(postModule(box, new Uint8Array(bytes.length + 40), ["big"])).toBe(false);
    expect(mailboxCount(box)).toBe(1);
    expect(box.words[MAILBOX.USED]).toBe(used);
    expect(Array.from(box.bytes.subarray(MAILBOX_DATA))).toEqual(snapshot);
    expect(postModule(box, bytes, ["a"])).toBe(true);
    expect(readModule(box, 1).names).toEqual(["a"]);
  });

  it("holds at most MAILBOX_ENTRIES modules, and rejects a buffer too small for its index", () => {
    const box = createMailbox();
    const tiny = new Uint8Array(1);
    for (let i = 0; i < MAILBOX_ENTRIES; i++) expect(postModule(box, tiny, [])).toBe(true);
    expect(postModule(box, tiny, [])).toBe(false);
    expect(mailboxCount(box)).toBe(MAILBOX_ENTRIES);
    expect(() => createMailbox(MAILBOX_DATA - 4)).toThrow(/createMailbox: .* do not hold the .*-byte index/);
  });
});
