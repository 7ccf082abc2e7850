/**
 * Test support: the error a function throws (failing the test when it throws nothing).
 */

/**
 * The error `fn` throws; throws itself when `fn` returns normally.
 *
 * @example
 * expect(caught(() => removeNeurons(net, [99]))).toBeInstanceOf(UnknownNeuronError);
 */
export function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw, but it returned normally");
}
