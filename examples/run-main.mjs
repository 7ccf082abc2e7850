// The Quick start's main example runner (`pnpm example`, after `pnpm build`): runs
// examples/readme_network.ts against the BUILT packages (packages/*/dist), not the sources.
// Package names are mapped to their dist entry points by a tiny resolve hook, and TypeScript is
// loaded with tsx (installed in benchmarks/node_modules).
import { existsSync } from "node:fs";
import { register } from "node:module";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const dist = {
  connex: new URL("packages/connex/dist/index.js", root).href,
  "@connex/core": new URL("packages/core/dist/index.js", root).href,
  "@connex/autodiff": new URL("packages/autodiff/dist/index.js", root).href,
  "@connex/optim": new URL("packages/optim/dist/index.js", root).href,
};
for (const [name, url] of Object.entries(dist)) {
  if (!existsSync(fileURLToPath(url))) {
    console.error(`run-main: ${name} is not built (${fileURLToPath(url)} is missing); run \`pnpm build\` first, or use \`pnpm example\`.`);
    process.exit(1);
  }
}

const hooks = `
const dist = ${JSON.stringify(dist)};
export async function resolve(specifier, context, next) {
  if (Object.prototype.hasOwnProperty.call(dist, specifier)) return { url: dist[specifier], shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const tsx = new URL("benchmarks/node_modules/tsx/dist/esm/api/index.mjs", root);
const { register: registerTypeScript } = await import(tsx.href);
registerTypeScript();

const example = await import(new URL("readme_network.ts", import.meta.url).href);
example.main();
