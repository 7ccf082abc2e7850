/**
 * The run-time import graph of every package's `src/`, parsed with the TypeScript compiler
 * (test helper for `import_graph.test.ts`). Type-only imports and exports
 * (`import type`, `import { type A }`, `export type`) are left out: they vanish when
 * TypeScript compiles, so they cannot make a cycle at run time or pull a layer in.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One run-time import of a source file. */
export interface Import {
  /** The specifier as written (`./shape.js`, `@connex/core`). */
  readonly specifier: string;
  /** For a relative specifier, the imported file (absolute path of the `.ts` source). */
  readonly target: string | null;
}

/** Every package under `packages/` that has a `src/` directory, by directory name. */
export function packageSources(repoRoot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(repoRoot, "packages")).sort()) {
    const src = join(repoRoot, "packages", name, "src");
    try {
      if (statSync(src).isDirectory()) out.set(name, src);
    } catch {
      // a package without sources
    }
  }
  return out;
}

/** Every `.ts` file under a directory, recursively, sorted. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files.sort();
}

/** Whether an import or export declaration survives compilation (is not type-only). */
function isRunTime(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return true; // `import "./side_effect.js"`
    if (clause.isTypeOnly) return false;
    if (clause.name) return true; // a default import
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return true;
    // `import { type A, type B }` is erased; `import {}` is kept (a side effect).
    return bindings.elements.length === 0 || bindings.elements.some((e) => !e.isTypeOnly);
  }
  if (node.isTypeOnly) return false;
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return true; // `export * from`
  return clause.elements.length === 0 || clause.elements.some((e) => !e.isTypeOnly);
}

/** The run-time imports of one file (static `import`/`export ... from` and `import()` calls). */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (specifier: string) => {
    const target = specifier.startsWith(".") ? resolve(dirname(file), specifier.replace(/\.js$/, ".ts")) : null;
    found.push({ specifier, target });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (isRunTime(node)) add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) add(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The cycles of a graph: one per strongly connected component of two or more files (or a
 * file importing itself), each as a closed path `a -> b -> ... -> a` through that component.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((c) => closedPath(graph, new Set(c)));
}

/** A shortest cycle through the first (sorted) file of a strongly connected component. */
function closedPath(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** A path relative to the repository root, for messages. */
export function shortPath(repoRoot: string, file: string): string {
  return relative(repoRoot, file);
}
