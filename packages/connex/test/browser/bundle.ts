/**
 * Test helper: bundle code that imports the connex packages the way a web app's bundler would
 * (esbuild, `platform: "browser"`, no polyfills), recording every Node built-in that any module
 * in the bundle imports (static `import`, dynamic `import()` or `require()`), with its importer.
 */
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** The repository root (module resolution starts here, as from an app inside the workspace). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The four packages' source entry points (to bundle the sources without a build). */
export const sourceEntries: Readonly<Record<string, string>> = {
  "@connex/core/internal": join(repoRoot, "packages/core/src/internal.ts"),
  "@connex/core": join(repoRoot, "packages/core/src/index.ts"),
  "@connex/autodiff": join(repoRoot, "packages/autodiff/src/index.ts"),
  "@connex/optim": join(repoRoot, "packages/optim/src/index.ts"),
  connex: join(repoRoot, "packages/connex/src/index.ts"),
  "connex/node": join(repoRoot, "packages/connex/src/node/index.ts"),
};

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Whether an import specifier names a Node built-in (`fs`, `node:fs`, `fs/promises`, ...). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtins.has(specifier) || builtins.has(specifier.split("/")[0]!);
}

/** A Node built-in found in a bundle, and the file (relative to the repository) that imports it. */
export interface BuiltinImport {
  builtin: string;
  importer: string;
}

/** The result of `bundleForBrowser`. */
export interface BrowserBundle {
  /** The bundled JavaScript (ESM). */
  code: string;
  /** Every Node built-in import met (left external so that all of them are listed, not just the first). */
  builtinImports: BuiltinImport[];
  /** esbuild's errors (unresolvable imports other than built-ins, syntax errors). */
  errors: string[];
}

/** Records Node built-ins instead of failing on the first one. */
function recordBuiltins(found: BuiltinImport[]): Plugin {
  return {
    name: "record-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isNodeBuiltin(args.path)) return undefined;
        found.push({ builtin: args.path, importer: relative(repoRoot, args.importer) || args.importer });
        return { path: args.path, external: true };
      });
    },
  };
}

/** What to bundle: ES module source text (resolved from the repository root), or a file (JS or TS). */
export type BundleInput = { code: string } | { file: string };

/**
 * Bundle `input` for browsers. With
 * `fromSources`, the package names map to their TypeScript sources (no build needed); otherwise
 * they resolve through node_modules and each package.json's `exports`, to the built dist/
 * files that users get.
 */
export async function bundleForBrowser(input: BundleInput, { fromSources = false, minify = false } = {}): Promise<BrowserBundle> {
  const builtinImports: BuiltinImport[] = [];
  try {
    const result = await build({
      ...("code" in input ? { stdin: { contents: input.code, resolveDir: repoRoot, sourcefile: "browser-entry.js", loader: "js" as const } } : { entryPoints: [input.file] }),
      bundle: true,
      platform: "browser",
      format: "esm",
      target: "es2022",
      write: false,
      minify,
      logLevel: "silent",
      plugins: [recordBuiltins(builtinImports)],
      ...(fromSources ? { alias: { ...sourceEntries } } : {}),
    });
    return { code: result.outputFiles[0]!.text, builtinImports, errors: [] };
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string } | null }[] }).errors;
    if (errors === undefined) throw e;
    return { code: "", builtinImports, errors: errors.map((x) => `${x.text}${x.location ? ` (in ${x.location.file})` : ""}`) };
  }
}

/** A readable list of built-in imports, for assertion messages. */
export function describeBuiltins(found: readonly BuiltinImport[]): string {
  return found.map((f) => `${f.builtin} (imported by ${f.importer})`).join(", ");
}
