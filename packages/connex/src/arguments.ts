/**
 * Option checking at the entry of connex's public functions: an options argument must be a
 * plain object whose names the function knows, so a misspelt name (`hiddenActivaton`, `witdh`)
 * is an `InvalidOptionError` naming it instead of a silently ignored setting. The name lists
 * live next to the option interfaces (`options.ts`, `mlp.ts`, ...), each checked by the type
 * checker to cover every field of its interface.
 */
import { InvalidOptionError } from "./errors.js";

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (typeof x !== "object") return `${typeof x} ${String(x)}`;
  const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `a ${name ?? "object"}`;
}

/**
 * `options` (or `{}` when absent) after checking it is a plain object with only `known` names;
 * an `InvalidOptionError` naming `where` and the culprit otherwise.
 *
 * @example
 * checkOptions("nn.MLP", { witdh: 3 }, ["width"]); // throws InvalidOptionError: nn.MLP: unknown option "witdh" (known: width)
 */
export function checkOptions<T extends object>(where: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  const proto = typeof options === "object" && options !== null ? (Object.getPrototypeOf(options) as unknown) : undefined;
  if (Array.isArray(options) || (proto !== Object.prototype && proto !== null)) {
    throw new InvalidOptionError(`${where}: expected an options object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new InvalidOptionError(`${where}: unknown option "${name}" (known: ${known.join(", ")})`);
  }
  return options;
}

/** Compile-time check that a name list covers every field of an options interface. */
export type CoversAll<O, Names extends readonly string[]> = [Exclude<keyof O, Names[number]>] extends [never] ? true : Exclude<keyof O, Names[number]>;
