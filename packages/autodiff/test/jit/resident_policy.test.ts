/**
 * Where the jit executor puts large arrays (the kernel memory's `ResidentPolicy`): a synchronous
 * loop of a jitted step, donating or not, stops taking new kernel memory after its first calls
 * (the blocks its intermediates and donated arguments hand back serve the next call); an
 * undonating call's results are ordinary arrays, a donating call's are blocks of the kernel
 * memory; the caller's policy is back after every call; eager operations never take new kernel
 * memory.
 */
import { describe, expect, it } from "vitest";
import { np, random, type ConcreteTensor, type Tensor } from "@connex/core";
import { jit, grad } from "../../src/index.js";
import { residentAddress, residentPolicy } from "../../../core/src/backend/resident_storage.js";
import { heapAvailable, heapStats } from "../../../core/src/backend/threads/kernel_heap.js";

const N = 60_000;
type Params = { w: Tensor; b: Tensor };

function step(p: Params, x: Tensor): [Params, Tensor] {
  const loss = (q: Params) => np.sum(np.square(np.add(np.multiply(q.w, x), q.b)));
  const g = grad(loss)(p) as Params;
  return [{ w: np.subtract(p.w, np.multiply(1e-3, g.w)), b: np.subtract(p.b, np.multiply(1e-3, g.b)) }, loss(p)];
}

const start = (): { p: Params; x: Tensor } => ({ p: { w: random.normal(random.key(1), [N]), b: random.normal(random.key(2), [N]) }, x: random.normal(random.key(3), [N]) });
const address = (t: Tensor) => residentAddress((t as ConcreteTensor).data);

describe.skipIf(!heapAvailable())("the jit executor's use of the kernel memory", () => {
  it("hands back a fused loop's intermediate made beside a result: a synchronous donating loop takes no new memory", () => {
    // w · 2 (a result) and w · 3 (read by the matmul only) come out of one fused loop.
    const f = jit((w: Tensor, x: Tensor) => [np.multiply(w, 2), np.sum(np.matmul(np.multiply(w, 3), x))], { donateArgnums: 0 });
    let w = random.normal(random.key(1), [300, 300]);
    const x = random.normal(random.key(2), [300, 4]);
    for (let i = 0; i < 3; i++) w = f(w, x)[0]!;
    const before = heapStats();
    for (let i = 0; i < 30; i++) w = f(w, x)[0]!;
    expect(heapStats().top).toBe(before.top);
    expect(heapStats().used).toBe(before.used);
  });

  for (const donate of [false, true]) {
    it(`${donate ? "donating" : "not donating"}: a synchronous loop takes no new memory after its first calls; results are ${donate ? "blocks of the kernel memory" : "ordinary arrays"}`, () => {
      const f = jit(step, donate ? { donateArgnums: 0 } : {});
      let { p, x } = start();
      for (let i = 0; i < 3; i++) [p] = f(p, x);
      const top = heapStats().top;
      const used = heapStats().used;
      for (let i = 0; i < 30; i++) [p] = f(p, x);
      expect(heapStats().top).toBe(top);
      expect(heapStats().used).toBe(used);
      if (donate) expect(address(p.w)).toBeGreaterThanOrEqual(0);
      else expect(address(p.w)).toBe(-1);
      expect(residentPolicy()).toBe("reuse");
    });
  }

  for (const donate of [false, true]) {
    it(`${donate ? "donating" : "not donating"}: eager operations between the calls do not take the call's memory, so the loop still takes none`, () => {
      const f = jit(step, donate ? { donateArgnums: 0 } : {});
      let { p, x } = start();
      const eager = () => np.sum(np.multiply(np.add(x, 1), x));
      for (let i = 0; i < 3; i++) {
        [p] = f(p, x);
        eager();
      }
      const top = heapStats().top;
      for (let i = 0; i < 30; i++) {
        [p] = f(p, x);
        eager();
      }
      expect(heapStats().top).toBe(top);
    });
  }

  it("eager operations reuse freed kernel memory but never take new memory", () => {
    const a = random.normal(random.key(5), [N + 333]);
    const top = heapStats().top;
    for (let i = 0; i < 20; i++) np.multiply(np.add(a, 1), 2);
    expect(heapStats().top).toBe(top);
  });
});
