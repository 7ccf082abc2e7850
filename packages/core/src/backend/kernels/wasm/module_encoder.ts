import { Instructions, VALTYPE, type ValType } from "./instructions.js";
import { unsignedLeb128 } from "./leb128.js";

/**
 * A function of a module under construction: parameters and locals are declared by type and
 * referred to by the index each declaration returns, and the body is written into `code`.
 * Example: `const f = new FunctionBuilder("add", ["i32"]); const x = f.param("i32");
 * f.code.localGet(x).localGet(x).i32Add().end();`
 */
export class FunctionBuilder {
  readonly params: ValType[] = [];
  readonly locals: ValType[] = [];
  /** The body; it must finish with the function's own `end()`. */
  readonly code = new Instructions();

  constructor(
    /** The export name. */
    readonly name: string,
    readonly results: ValType[] = [],
  ) {}

  /** Declares the next parameter (all parameters come before any local). */
  param(type: ValType): number {
    if (this.locals.length > 0) throw new Error(`FunctionBuilder(${this.name}): parameter declared after a local`);
    this.params.push(type);
    return this.params.length - 1;
  }

  /** Declares a local variable, zero-initialised on entry. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }
}

/** The one imported linear memory of a module: `(import module name (memory min max? shared?))`. */
export interface MemoryImport {
  module: string;
  name: string;
  /** Initial size in 64 KiB pages. */
  minPages: number;
  /** Required when `shared`. */
  maxPages?: number;
  shared?: boolean;
}

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const FUNC_TYPE = 0x60;
const KIND = { func: 0x00, memory: 0x02 } as const;

/**
 * The binary of a module that imports one memory and exports the given functions under their
 * names (each function gets its own type entry; duplicates are harmless).
 * Example: `new WebAssembly.Module(encodeModule({ module: "env", name: "memory", minPages: 1 }, [f]))`.
 */
export function encodeModule(memory: MemoryImport, functions: readonly FunctionBuilder[]): Uint8Array {
  if (memory.shared && memory.maxPages === undefined) throw new Error("encodeModule: a shared memory needs maxPages");
  const names = new Set<string>();
  for (const f of functions) {
    if (names.has(f.name)) throw new Error(`encodeModule: two functions named ${JSON.stringify(f.name)}`);
    names.add(f.name);
  }
  const types = functions.map((f) => [FUNC_TYPE, ...vector(f.params.map((t) => [VALTYPE[t]])), ...vector(f.results.map((t) => [VALTYPE[t]]))]);
  const limits =
    memory.maxPages === undefined
      ? [0x00, ...unsignedLeb128(memory.minPages)]
      : [memory.shared ? 0x03 : 0x01, ...unsignedLeb128(memory.minPages), ...unsignedLeb128(memory.maxPages)];
  const imports = [[...name(memory.module), ...name(memory.name), KIND.memory, ...limits]];
  const funcs = functions.map((_, i) => unsignedLeb128(i));
  const exports = functions.map((f, i) => [...name(f.name), KIND.func, ...unsignedLeb128(i)]);
  const bodies = functions.map((f) => {
    const body = [...vector(localGroups(f.locals)), ...f.code.bytes];
    return [...unsignedLeb128(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(SECTION.type, vector(types)),
    ...section(SECTION.import, vector(imports)),
    ...section(SECTION.function, vector(funcs)),
    ...section(SECTION.export, vector(exports)),
    ...section(SECTION.code, vector(bodies)),
  ]);
}

/** A vector: its length, then its encoded items. */
function vector(items: readonly number[][]): number[] {
  const out = unsignedLeb128(items.length);
  for (const item of items) for (const b of item) out.push(b);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb128(content.length), ...content];
}

/** A name: its UTF-8 length, then its UTF-8 bytes. */
function name(s: string): number[] {
  const bytes = new TextEncoder().encode(s);
  return [...unsignedLeb128(bytes.length), ...bytes];
}

/** Locals are declared as runs of equal type: `(count, type)` pairs. */
function localGroups(locals: readonly ValType[]): number[][] {
  const groups: number[][] = [];
  let i = 0;
  while (i < locals.length) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    groups.push([...unsignedLeb128(j - i), VALTYPE[locals[i]!]]);
    i = j;
  }
  return groups;
}
