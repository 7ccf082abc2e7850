/** `cnx.nn`: ready-made network architectures. */
export { MLP, DenseMLP, type MLPOptions, type NetworkFactory } from "./mlp.js";
