/**
 * The one error type of `@connex/optim`: an invalid hyperparameter, a missing argument, or
 * trees that do not line up. Messages name the transformation and the offending value.
 *
 * @example
 * try { adam(-1); } catch (e) { if (e instanceof OptimError) console.log(e.message); }
 */
export class OptimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OptimError";
  }
}
