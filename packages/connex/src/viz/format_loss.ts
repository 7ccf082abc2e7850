/**
 * Losses as short strings, for progress displays and titles (browser-safe: `connex/node`'s
 * `progress` and the Playground both use it).
 */

/**
 * Format a loss for display: 4 significant digits, exponent form for small values.
 *
 * @example
 * formatLoss(0.000123456); // "1.235e-4"
 */
export function formatLoss(loss: number | undefined): string {
  if (loss === undefined) return "-";
  if (!Number.isFinite(loss)) return String(loss);
  const a = Math.abs(loss);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? loss.toExponential(3).replace("e+", "e") : loss.toPrecision(4);
}
