/**
 * How kernel modules added after the workers started reach Web Workers. A Node worker receives
 * a late module synchronously from its message port when it meets one of its functions; a Web
 * Worker cannot (messages arrive only between tasks, and a pool worker's task never ends). So in
 * browsers the pool writes each late module's bytes and export names into this
 * `SharedArrayBuffer`, before any job can call it, and a worker that meets a kernel id it lacks
 * compiles the entries it has not read yet (synchronously: allowed off the main thread), in the
 * order they were written, so that every thread gives a module's functions the same ids.
 *
 * Layout, in 32-bit words: `[COUNT]` entries published, `[USED]` data bytes used, then
 * {@link MAILBOX_ENTRIES} index entries of three words (data offset, module bytes, name bytes),
 * then the data: each module's bytes followed by its export names as UTF-8 JSON. An entry is
 * written whole before `COUNT` is raised past it (`Atomics.store`). The worker's reader, in
 * `worker_source.ts`, follows the same layout.
 */

/** Word indices of the mailbox header. */
export const MAILBOX = { COUNT: 0, USED: 1, INDEX: 2 } as const;
/** Modules a mailbox holds. */
export const MAILBOX_ENTRIES = 4096;
/** Bytes of a mailbox (the data area is what the header and index leave): 16 MiB. */
export const MAILBOX_BYTES = 1 << 24;
/** Where the data area starts, in bytes. */
export const MAILBOX_DATA = (MAILBOX.INDEX + 3 * MAILBOX_ENTRIES) * 4;

/** A mailbox's buffer and typed views of it. */
export interface ModuleMailbox {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
}

/**
 * An empty mailbox of `size` bytes (rounded up to whole words), {@link MAILBOX_BYTES} by default.
 * Example: `const box = createMailbox(); postModule(box, bytes, ["run"])`.
 */
export function createMailbox(size = MAILBOX_BYTES): ModuleMailbox {
  if (size < MAILBOX_DATA) throw new RangeError(`createMailbox: ${size} bytes do not hold the ${MAILBOX_DATA}-byte index`);
  const buffer = new SharedArrayBuffer(Math.ceil(size / 4) * 4);
  return { buffer, words: new Int32Array(buffer), bytes: new Uint8Array(buffer) };
}

/** Entries published so far. */
export function mailboxCount(box: ModuleMailbox): number {
  return Atomics.load(box.words, MAILBOX.COUNT);
}

/**
 * Writes a module's bytes and export names as the next entry; `false` (nothing written) when
 * the mailbox has no room left for it.
 * Example: `if (!postModule(box, bytes, names)) runLocally = true`.
 */
export function postModule(box: ModuleMailbox, module: Uint8Array, names: readonly string[]): boolean {
  const count = mailboxCount(box);
  const text = new TextEncoder().encode(JSON.stringify(names));
  const used = box.words[MAILBOX.USED]!;
  const at = MAILBOX_DATA + used;
  if (count >= MAILBOX_ENTRIES || at + module.length + text.length > box.bytes.length) return false;
  box.bytes.set(module, at);
  box.bytes.set(text, at + module.length);
  const entry = MAILBOX.INDEX + 3 * count;
  box.words[entry] = at;
  box.words[entry + 1] = module.length;
  box.words[entry + 2] = text.length;
  box.words[MAILBOX.USED] = used + module.length + text.length;
  Atomics.store(box.words, MAILBOX.COUNT, count + 1);
  return true;
}

/**
 * Entry `i`'s module bytes and export names, copied out of the shared buffer (what the worker's
 * reader does, here for tests).
 * Example: `readModule(box, 0).names`.
 */
export function readModule(box: ModuleMailbox, i: number): { bytes: Uint8Array; names: string[] } {
  if (!(i >= 0 && i < mailboxCount(box))) throw new RangeError(`readModule: no entry ${i} (${mailboxCount(box)} published)`);
  const entry = MAILBOX.INDEX + 3 * i;
  const [at, n, m] = [box.words[entry]!, box.words[entry + 1]!, box.words[entry + 2]!];
  return { bytes: box.bytes.slice(at, at + n), names: JSON.parse(new TextDecoder().decode(box.bytes.slice(at + n, at + n + m))) as string[] };
}
