import type { MemoryImport } from "../kernels/wasm/module_encoder.js";
import { webAssembly, type WasmMemory, type WasmModule } from "../kernels/wasm/webassembly_api.js";
import { debugLog } from "./config.js";

/**
 * The one WebAssembly memory every generated kernel works in, and the table of kernel modules.
 *
 * Where the engine allows it (`SharedArrayBuffer` and Wasm threads: Node, cross-origin isolated
 * pages) the memory is *shared*: the pool's workers (`pool.ts`) instantiate the same module bytes
 * over the same memory, so a kernel call can be split across threads without copying anything.
 * Elsewhere it is an ordinary memory and every kernel runs on the calling thread.
 *
 * Kernel modules register a builder at import time ({@link registerKernelModule}); the bytes are
 * built and compiled on first use, on the calling thread and (the same bytes) in each worker, so
 * a function has one id everywhere ({@link kernelId}).
 */

/** Largest memory, in 64 KiB pages (4 GiB, wasm32's limit); a shared memory must declare one. */
const MAX_PAGES = 65536;

/** A kernel module: its key, how to build its bytes for a memory import, and the exports the pool may call. */
interface KernelModule {
  key: string;
  build: (memory: MemoryImport) => Uint8Array;
  names: readonly string[];
}

const modules: KernelModule[] = [];

interface Compiled {
  memory: WasmMemory;
  shared: boolean;
  import: MemoryImport;
  /**
   * The compiled modules, in registration order: what workers instantiate. A compiled module
   * sent to a worker shares its machine code, so code the engine optimises on one thread (V8
   * tiers hot functions up from its baseline compiler) is used by all; workers compiling the
   * bytes themselves ran their kernels ~2.5x slower than the calling thread.
   */
  modules: WasmModule[];
  /** Every registered export, by global id. */
  functions: ((...args: number[]) => void)[];
  /** Global id of `key/name`. */
  ids: Map<string, number>;
}

let compiled: Compiled | null | undefined;

/**
 * Every buffer object a shared kernel memory has had: growing it makes a new, longer
 * `SharedArrayBuffer` object, and arrays made before keep the old one over the same memory
 * (address 0 at the start of each). See {@link isKernelMemoryBuffer}.
 */
const kernelBuffers = new WeakSet<object>();

/**
 * Whether `buffer` is (one of the buffer objects of) the shared kernel memory, so that an array
 * over it lies in the memory at its `byteOffset`; `false` for an unshared kernel memory, whose
 * buffer is detached when it grows. Example: `isKernelMemoryBuffer(new Float32Array(heapBuffer()).buffer)` is `true` where threads are available.
 */
export function isKernelMemoryBuffer(buffer: ArrayBufferLike): boolean {
  return kernelBuffers.has(buffer);
}

/**
 * Grows the memory by `pages` 64 KiB pages (throws as `WebAssembly.Memory.grow` does when the
 * engine refuses them) and records its new buffer object.
 * Example: `growKernelMemory(rt.memory, 256)`.
 */
export function growKernelMemory(memory: WasmMemory, pages: number): void {
  memory.grow(pages);
  if (compiled?.shared === true && compiled.memory === memory) kernelBuffers.add(memory.buffer);
}

/**
 * Registers a kernel module (call at module load, before any kernel runs).
 * Example: `registerKernelModule("matmul-f32", (m) => matmulModuleBytes(F32, shape, m), ["rows1", ...])`.
 */
export function registerKernelModule(key: string, build: (memory: MemoryImport) => Uint8Array, names: readonly string[]): void {
  if (compiled !== undefined) throw new Error(`registerKernelModule(${key}): kernels are already compiled`);
  if (modules.some((m) => m.key === key)) throw new Error(`registerKernelModule: ${key} registered twice`);
  modules.push({ key, build, names });
}

/** A shared memory when the engine has Wasm threads, else an ordinary one. */
function createMemory(): { memory: WasmMemory; shared: boolean } {
  const wasm = webAssembly!;
  if (typeof SharedArrayBuffer === "function") {
    try {
      const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      if (memory.buffer instanceof SharedArrayBuffer) return { memory, shared: true };
    } catch {
      // Fall through to an ordinary memory.
    }
  }
  debugLog("SharedArrayBuffer or shared WebAssembly memory is unavailable: every kernel runs on the calling thread");
  return { memory: new wasm.Memory({ initial: 1 }), shared: false };
}

/** Instantiates a compiled module over the memory and gives its exports `names` the next global ids. */
function instantiate(rt: Compiled, key: string, module: WasmModule, names: readonly string[]): void {
  const instance = new webAssembly!.Instance(module, { env: { memory: rt.memory } });
  for (const name of names) {
    rt.ids.set(`${key}/${name}`, rt.functions.length);
    rt.functions.push(instance.exports[name] as (...args: number[]) => void);
  }
  rt.modules.push(module);
}

/** Builds and compiles every registered module over the memory; `null` when WebAssembly SIMD is unavailable. */
function compileAll(): Compiled | null {
  if (compiled !== undefined) return compiled;
  try {
    if (webAssembly === undefined) throw new Error("no WebAssembly");
    const { memory, shared } = createMemory();
    const memoryImport: MemoryImport = shared
      ? { module: "env", name: "memory", minPages: 1, maxPages: MAX_PAGES, shared: true }
      : { module: "env", name: "memory", minPages: 1 };
    const rt: Compiled = { memory, shared, import: memoryImport, modules: [], functions: [], ids: new Map() };
    if (shared) kernelBuffers.add(memory.buffer);
    for (const m of modules) instantiate(rt, m.key, new webAssembly.Module(m.build(memoryImport)), m.names);
    compiled = rt;
  } catch (err) {
    debugLog(`WebAssembly SIMD kernels are unavailable (${(err as Error).message}): JavaScript kernels only`);
    compiled = null;
  }
  return compiled;
}

/** Called with each module added after the first compilation ({@link addKernelModule}): the pool hands it to its workers. */
type ModuleListener = (module: WasmModule, names: readonly string[], bytes: Uint8Array, firstId: number) => void;
const listeners: ModuleListener[] = [];

/**
 * Calls `listener` with every kernel module added from now on by {@link addKernelModule}: the
 * compiled module, its export names, its bytes and the id of its first export.
 * Example: `onKernelModuleAdded((module, names) => worker.postMessage({ module, names }))`.
 */
export function onKernelModuleAdded(listener: ModuleListener): void {
  listeners.push(listener);
}

/**
 * Adds a kernel module once kernels run (a module generated for one program, such as a fused
 * elementwise loop): compiled and instantiated on the calling thread now, given ids after every
 * other module's, and handed to the listeners (the pool's workers instantiate it before they
 * run one of its functions). Returns `false` when this engine lacks WebAssembly SIMD.
 * Example: `addKernelModule("fused-3", (m) => fusedProgramModuleBytes(program, 0, m), ["run"]); kernelId("fused-3", "run")`.
 */
export function addKernelModule(key: string, build: (memory: MemoryImport) => Uint8Array, names: readonly string[]): boolean {
  const rt = compileAll();
  if (rt === null) return false;
  if (modules.some((m) => m.key === key) || rt.ids.has(`${key}/${names[0]}`)) throw new Error(`addKernelModule: ${key} added twice`);
  const bytes = build(rt.import);
  const module = new webAssembly!.Module(bytes);
  const firstId = rt.functions.length;
  instantiate(rt, key, module, names);
  for (const listener of listeners) listener(module, names, bytes, firstId);
  return true;
}

/**
 * The compiled kernels and their memory, or `null` when this engine lacks WebAssembly SIMD.
 * Example: `kernelRuntime()?.memory.buffer`.
 */
export function kernelRuntime(): Readonly<Compiled> | null {
  return compileAll();
}

/**
 * The calling thread's instance of export `name` of module `key`.
 * Example: `kernelFunction("matmul-f32", "rows4")`.
 */
export function kernelFunction<F>(key: string, name: string): F {
  const rt = compileAll();
  const id = rt?.ids.get(`${key}/${name}`);
  if (rt === null || id === undefined) throw new Error(`kernelFunction: no kernel ${key}/${name}`);
  return rt.functions[id] as F;
}

/**
 * The global id of export `name` of module `key` (the same in every worker).
 * Example: `job.call(thread, kernelId("matmul-f32", "rows4"), ...)`.
 */
export function kernelId(key: string, name: string): number {
  const id = compileAll()?.ids.get(`${key}/${name}`);
  if (id === undefined) throw new Error(`kernelId: no kernel ${key}/${name}`);
  return id;
}

/**
 * The `key/name` of the kernel with global id `id`, or `"unknown"` (for messages).
 * Example: `kernelName(kernelId("elementwise", "copy"))` is `"elementwise/copy"`.
 */
export function kernelName(id: number): string {
  for (const [name, known] of compileAll()?.ids ?? []) if (known === id) return name;
  return "unknown";
}

/** The memory grown to at least `bytes`; returns its current buffer. */
export function ensureMemory(rt: Readonly<Compiled>, bytes: number): ArrayBuffer | SharedArrayBuffer {
  const have = rt.memory.buffer.byteLength;
  if (bytes > have) growKernelMemory(rt.memory, Math.ceil((bytes - have) / 65536));
  return rt.memory.buffer;
}
