import { np } from "@connex/core";
const a = np.reshape(np.arange(32000, { dtype: "float32" }), [250, 128]);
const b = np.reshape(np.arange(32000, { dtype: "float32" }), [250, 128]);
const row = np.arange(128, { dtype: "float32" });
const small = np.arange(12, { dtype: "float32" });
function time(label: string, f: () => void, n: number) {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(label, ((performance.now() - t0) / n * 1000).toFixed(2), "us");
}
for (let r = 0; r < 2; r++) {
  time("mul 250x128 contiguous", () => np.multiply(a, b), 500);
  time("mul 250x128 row-broadcast", () => np.multiply(a, row), 500);
  time("mul [12] tiny", () => np.multiply(small, small), 20000);
  time("plain JS loop 32000 mul (reference)", () => { const x = new Float32Array(32000); const p = (a as any).nd.data, q = (b as any).nd.data; for (let i = 0; i < 32000; i++) x[i] = p[i] * q[i]; }, 500);
}
