import { defineConfig } from "tsup";
import base from "../../tsup.config.base.js";

// Core has two entry points: the public API and `@connex/core/internal` (the backend
// boundary autodiff uses). Code splitting, in the CommonJS build too, puts the modules they
// share in one chunk, so both entries see one primitive registry and one Tensor class.
export default defineConfig({ ...(base as object), entry: ["src/index.ts", "src/internal.ts"], splitting: true });
