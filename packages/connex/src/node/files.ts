/**
 * `saveFile` / `loadFile` (from `connex/node`): `cnx.save` and `cnx.load` to and from a file.
 * The byte format lives in the browser-safe main entry (`persistence/`); only the file system
 * calls are here, so that bundling `connex` for a browser pulls in no `fs`.
 */
import { readFileSync, writeFileSync } from "node:fs";
// Only connex's public entry, never its inner modules: the build links this import to the
// built main entry, so these are the very classes and functions users get from "connex".
import { InvalidOptionError, load, NetworkFileError, NeuralNetwork, save } from "../index.js";

function checkPath(path: unknown, op: string): asserts path is string {
  if (typeof path !== "string" || path.length === 0) {
    throw new InvalidOptionError(`${op}: path must be a non-empty string, got ${path === null ? "null" : typeof path === "string" ? '""' : typeof path}`);
  }
}

/**
 * Write `network` to `path` as `cnx.save`'s bytes (safetensors; NumPy and Python's
 * `safetensors` read the parameters). The bytes are built before the file is opened, so a
 * network that cannot be saved (an unregistered custom activation) leaves no file behind.
 *
 * @example
 * saveFile("readme.safetensors", network);
 */
export function saveFile(path: string, network: NeuralNetwork): void {
  checkPath(path, "saveFile");
  if (!(network instanceof NeuralNetwork)) {
    throw new InvalidOptionError(`saveFile: expected a NeuralNetwork, got ${network === null ? "null" : typeof network}`);
  }
  writeFileSync(path, save(network));
}

/**
 * Read a network written by `saveFile` (or `cnx.save`'s bytes written any other way). A file
 * that cannot be read throws `NetworkFileError` naming the path, with the system error as
 * `cause`; invalid contents throw as `cnx.load` does.
 *
 * @example
 * const network = loadFile("readme.safetensors");
 */
export function loadFile(path: string): NeuralNetwork {
  checkPath(path, "loadFile");
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new NetworkFileError(`loadFile: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`, { cause: e });
  }
  return load(bytes);
}
