import { encodeModule, FunctionBuilder, type MemoryImport } from "./module_encoder.js";

/**
 * The WebAssembly kernel that packs a transposed matrix product operand into panels:
 * `pack_columns_f32(src, colBytes, dst, k, width, nr)` and `pack_columns_f64(...)` read `width`
 * columns of `k` contiguous elements, `colBytes` apart, from byte address `src` (the rows of
 * `Bᵀ`, as `xᵀ` in `W · xᵀ` is a row-major `x` read by columns), and write them as one panel:
 * `k` rows of `nr` elements, element `p` of column `jj` at `dst + (p·nr + jj)·bytes`. Columns
 * `width..nr-1` are left as they are (the caller zeroes them). Each column is read
 * contiguously.
 */

/** Export names, by element type. */
export const PACK_EXPORTS = ["pack_columns_f32", "pack_columns_f64"] as const;

function packColumns(name: string, bytes: 4 | 8): FunctionBuilder {
  const f = new FunctionBuilder(name);
  const src = f.param("i32");
  const colBytes = f.param("i32");
  const dst = f.param("i32");
  const k = f.param("i32");
  const width = f.param("i32");
  const nr = f.param("i32");
  const jj = f.local("i32");
  const p = f.local("i32");
  const from = f.local("i32");
  const to = f.local("i32");
  const rowBytes = f.local("i32");
  const c = f.code;
  c.localGet(nr).i32Const(bytes).i32Mul().localSet(rowBytes);
  c.block().loop();
  c.localGet(jj).localGet(width).i32GeS().brIf(1);
  c.localGet(src).localGet(jj).localGet(colBytes).i32Mul().i32Add().localSet(from);
  c.localGet(dst).localGet(jj).i32Const(bytes).i32Mul().i32Add().localSet(to);
  c.i32Const(0).localSet(p);
  c.block().loop();
  c.localGet(p).localGet(k).i32GeS().brIf(1);
  c.localGet(to).localGet(from);
  if (bytes === 4) c.f32Load().f32Store();
  else c.f64Load().f64Store();
  c.localGet(from).i32Const(bytes).i32Add().localSet(from);
  c.localGet(to).localGet(rowBytes).i32Add().localSet(to);
  c.localGet(p).i32Const(1).i32Add().localSet(p);
  c.br(0).end().end();
  c.localGet(jj).i32Const(1).i32Add().localSet(jj);
  c.br(0).end().end();
  c.end();
  return f;
}

/**
 * The module binary with both exports of {@link PACK_EXPORTS}.
 * Example: `new WebAssembly.Module(packModuleBytes({ module: "env", name: "memory", minPages: 1 }))`.
 */
export function packModuleBytes(memory: MemoryImport): Uint8Array {
  return encodeModule(memory, [packColumns("pack_columns_f32", 4), packColumns("pack_columns_f64", 8)]);
}
