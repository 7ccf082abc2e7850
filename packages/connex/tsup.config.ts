// Built as every package is (../../tsup.config.base.ts), with a second entry point: `connex/node`
// (show, progress, saveFile/loadFile), the Node-only part kept out of the browser-safe main entry.
import { defineConfig } from "tsup";
import base from "../../tsup.config.base.js";

export default defineConfig({ ...base, entry: { index: "src/index.ts", node: "src/node/index.ts" } });
