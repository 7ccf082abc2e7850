import type { FunctionBuilder } from "./module_encoder.js";

/**
 * Emits a loop run while the i32 local `counter` is above 0: `body()`, then `counter -= 1`
 * (the counter is left at 0, or where it started when not positive).
 * Example: `code.localGet(k).localSet(rows); countedLoop(f, rows, () => copyOneRow())`.
 */
export function countedLoop(f: FunctionBuilder, counter: number, body: () => void): void {
  const c = f.code;
  c.block().loop();
  c.localGet(counter).i32Const(0).i32LeS().brIf(1);
  body();
  c.localGet(counter).i32Const(1).i32Sub().localSet(counter);
  c.br(0).end().end();
}
