/**
 * connex: any directed acyclic graph as a trainable neural network (a port of Python Connex
 * onto `@connex/core`). `new NeuralNetwork({ graph, inputNeurons, outputNeurons, ... })`,
 * ready-made `nn.MLP` / `nn.DenseMLP`, and typed `ConnexError`s.
 *
 * @packageDocumentation
 * @module connex
 */
export { NeuralNetwork, type ForwardOptions, type WeightedGraph, type NetworkParts } from "./network.js";
export * as nn from "./nn.js";
export * from "./errors.js";
export type { NeuronId } from "./neuron_id.js";
export type { Edge, GraphInput, DirectedGraph } from "./graph.js";
export type { NetworkOptions, NeuralNetworkSpec, DropoutSpec, NetworkFeatures } from "./options.js";
export type { Activation, ActivationModule } from "./activation.js";
export { defaultInit, type WeightInitializer, type InitContext } from "./init.js";
export type { TopoBatchParameters, AttentionParameters, TopoNormParameters, AdaptiveActivationParameters } from "./parameters.js";
export { NetworkStructure } from "./structure.js";
export type { BatchLayout, InputSegment, NetworkTopology } from "./topology.js";
export { addConnections, removeConnections, addInputNeurons, addHiddenNeurons, addOutputNeurons, removeNeurons, setDropoutP, type EditOptions } from "./plasticity/index.js";
export * as pipeable from "./pipeable.js";
export * as safe from "./safe.js";
export { save } from "./persistence/save.js";
export { load } from "./persistence/load.js";
export { registerActivation } from "./persistence/activation_registry.js";
export { NetworkFileError, UnregisteredActivationError } from "./persistence/errors.js";
export * as viz from "./viz/index.js";
export { fromWeightedGraph, type FromWeightedGraphOptions } from "./weighted_graph.js";
export { setSparseThreshold, sparseThreshold, DEFAULT_SPARSE_THRESHOLD } from "./sparse_edges.js";
export * from "./research/index.js";
