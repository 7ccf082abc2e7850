/**
 * The page that checks core's WebAssembly kernels in the browser: they are generated at run
 * time (no file to fetch), compiled synchronously, and must give the JS kernels' results.
 * Bundled from core's sources, since these modules are internal. Reports `__wasmResult`.
 */
import { wasmGeluAvailable, geluF32Wasm } from "../../../core/src/backend/kernels/wasm/gelu_wasm.js";
import { wasmMatmulAvailable } from "../../../core/src/backend/kernels/wasm/matmul_wasm.js";
import { wasmSparseAvailable } from "../../../core/src/backend/kernels/wasm/sparse_wasm.js";
import { np, random } from "@connex/core";

const g = globalThis as { __wasmResult?: unknown; __wasmError?: string };
setTimeout(() => {
  try {
    // A float32 product big enough for the Wasm path, against the float64 product of the same values.
    const [ka, kb] = random.split(random.key(0));
    const a = random.normal(ka!, [64, 96]);
    const b = random.normal(kb!, [96, 80]);
    const product = np.matmul(a, b);
    const reference = np.matmul(a.astype("float64"), b.astype("float64"));
    const src = Float32Array.from({ length: 128 }, (_, i) => (i - 64) / 8);
    const gelu = new Float32Array(128);
    geluF32Wasm(src, gelu, false);
    g.__wasmResult = {
      matmul: wasmMatmulAvailable(),
      gelu: wasmGeluAvailable(),
      sparse: wasmSparseAvailable(),
      matmulMatchesFloat64: np.allclose(product.astype("float64"), reference, { rtol: 1e-4, atol: 1e-4 }),
      geluAt1: gelu[72],
    };
  } catch (e) {
    g.__wasmError = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
  }
}, 0);
