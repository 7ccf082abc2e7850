/**
 * Names of activations, for saving networks: a file stores `"relu"`, not code. The `nn`
 * activations of `@connex/core` are registered under their own names; anything else must be
 * registered with `registerActivation(name, fn)` before saving, and again (in the loading
 * process) before loading.
 *
 * A trainable activation (`ActivationModule`) is registered as a template instance: a saved
 * network's module is recognised by having the template's structure (class, fields, static
 * values), and loading starts from the template and reads its parameters from the file.
 */
import { nn, tree } from "@connex/core";
import { type Activation, isActivationModule } from "../activation.js";
import { UnregisteredActivationError } from "./errors.js";

/** The `@connex/core` `nn` functions usable as activations, under their own names. */
const BUILT_IN: ReadonlyMap<string, Activation> = new Map<string, Activation>([
  ["relu", nn.relu],
  ["gelu", nn.gelu],
  ["sigmoid", nn.sigmoid],
  ["tanh", nn.tanh],
  ["softplus", nn.softplus],
  ["silu", nn.silu],
  ["identity", nn.identity],
  ["softmax", nn.softmax as Activation],
  ["logSoftmax", nn.logSoftmax as Activation],
  ["standardize", nn.standardize as Activation],
]);

const byName = new Map<string, Activation>(BUILT_IN);
/** Function activations by identity; the first name registered for a function wins. */
const nameOfFunction = new Map<Activation, string>();
for (const [name, fn] of BUILT_IN) if (!nameOfFunction.has(fn)) nameOfFunction.set(fn, name);

/**
 * Register an activation (or output transformation) under `name`, so networks using it can be
 * saved and loaded. Registering the same activation under the same name again is allowed;
 * a name already taken by another activation (the `nn` names included) throws
 * `UnregisteredActivationError`. Modules are registered as a template instance.
 *
 * @example
 * cnx.registerActivation("leakyRelu", (x) => np.maximum(x, np.multiply(x, 0.01)));
 */
export function registerActivation(name: string, activation: Activation): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new UnregisteredActivationError(`registerActivation: the name must be a non-empty string, got ${typeof name === "string" ? '""' : typeof name}`);
  }
  if (typeof activation !== "function" && !isActivationModule(activation)) {
    throw new UnregisteredActivationError(
      `registerActivation: ${JSON.stringify(name)} must be a function or a Module with a forward(x) method, got ${activation === null ? "null" : typeof activation}`,
    );
  }
  const existing = byName.get(name);
  if (existing !== undefined) {
    if (existing === activation) return;
    throw new UnregisteredActivationError(
      `registerActivation: the name ${JSON.stringify(name)} is already taken by ${BUILT_IN.has(name) ? "the built-in nn." + name : "another activation"}; choose another name`,
    );
  }
  byName.set(name, activation);
  if (typeof activation === "function" && !nameOfFunction.has(activation)) nameOfFunction.set(activation, name);
}

/**
 * The registered name of a network's activation, or `UnregisteredActivationError` telling the
 * user to register it. `role` is the option's name, for the message.
 *
 * @example
 * activationName(nn.relu, "hiddenActivation"); // "relu"
 */
export function activationName(activation: Activation, role: string): string {
  if (typeof activation === "function") {
    const name = nameOfFunction.get(activation);
    if (name !== undefined) return name;
    const shown = activation.name ? ` (${activation.name})` : "";
    throw new UnregisteredActivationError(
      `cnx.save: the ${role} is a custom function${shown} with no registered name; call cnx.registerActivation("someName", fn) before saving (and before loading)`,
    );
  }
  const def = tree.structure(activation);
  for (const [name, candidate] of byName) {
    if (isActivationModule(candidate) && tree.structure(candidate).equals(def)) return name;
  }
  const cls = (Object.getPrototypeOf(activation) as { constructor?: { name?: string } }).constructor?.name ?? "Module";
  throw new UnregisteredActivationError(
    `cnx.save: the ${role} is a ${cls} module whose structure matches no registered activation; call cnx.registerActivation("someName", template) with an instance of the same structure`,
  );
}

/**
 * The activation registered under `name`, or `UnregisteredActivationError`.
 *
 * @example
 * activationByName("relu", "hiddenActivation"); // nn.relu
 */
export function activationByName(name: string, role: string): Activation {
  const activation = byName.get(name);
  if (activation === undefined) {
    throw new UnregisteredActivationError(
      `cnx.load: the file's ${role} is ${JSON.stringify(name)}, which is not registered in this process; call cnx.registerActivation(${JSON.stringify(name)}, fn) before loading`,
    );
  }
  return activation;
}
