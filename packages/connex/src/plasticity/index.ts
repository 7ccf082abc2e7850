/**
 * Plasticity: pure functions that rewire a network (the "Artificial Neuroplasticity" API of
 * Python Connex), keeping every surviving parameter and sharing every untouched batch.
 */
export { addConnections } from "./add_connections.js";
export { removeConnections } from "./remove_connections.js";
export { addInputNeurons } from "./add_input_neurons.js";
export { addHiddenNeurons } from "./add_hidden_neurons.js";
export { addOutputNeurons } from "./add_output_neurons.js";
export { removeNeurons } from "./remove_neurons.js";
export { setDropoutP } from "./set_dropout_p.js";
export type { EditOptions } from "./edit_options.js";
