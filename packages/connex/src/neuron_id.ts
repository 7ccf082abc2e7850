/**
 * Neuron ids: numbers or strings. In an adjacency object, keys are strings in JavaScript, so a
 * key that spells an integer (`"12"`, `"-3"`, not `"012"` or `"1.5"`) means that number; every
 * other key is a string id. In edge lists and `Map`s ids are taken exactly as given, so `1`
 * and `"1"` are two different neurons there.
 */

/** A neuron's name: a number or a string. */
export type NeuronId = number | string;

const INTEGER_SPELLING = /^-?(0|[1-9][0-9]*)$/;

/**
 * The neuron id an adjacency-object key stands for: the number it spells when it spells a
 * safe integer, the string itself otherwise.
 *
 * @example
 * neuronIdFromKey("12"); // 12
 */
export function neuronIdFromKey(key: string): NeuronId {
  if (INTEGER_SPELLING.test(key)) {
    const n = Number(key);
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) return n;
  }
  return key;
}

/**
 * True for values usable as neuron ids: finite numbers and strings.
 *
 * @example
 * isNeuronId(3); // true
 */
export function isNeuronId(x: unknown): x is NeuronId {
  return typeof x === "string" || (typeof x === "number" && Number.isFinite(x));
}

/**
 * A neuron id as written in messages: numbers plain, strings quoted.
 *
 * @example
 * formatNeuron("a"); // "\"a\""
 */
export function formatNeuron(id: NeuronId): string {
  return typeof id === "number" ? String(id) : JSON.stringify(id);
}

/**
 * A list of neuron ids as written in messages, e.g. `[1, "a"]`; long lists are abbreviated.
 *
 * @example
 * formatNeurons([1, "a"]); // "[1, \"a\"]"
 */
export function formatNeurons(ids: readonly NeuronId[], limit = 20): string {
  const shown = ids.slice(0, limit).map(formatNeuron);
  if (ids.length > limit) shown.push(`... (${ids.length - limit} more)`);
  return `[${shown.join(", ")}]`;
}
