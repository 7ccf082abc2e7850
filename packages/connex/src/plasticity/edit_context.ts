/**
 * What every step of a structural edit shares: the edit itself (edited graph, roles, batch
 * partition, which neurons were rewired, the key for new parameters), the new firing order
 * from the construction code (`firingOrder` in `topology.ts`), and the maps between old and new
 * positions that let the edit derive new layouts and parameters from old ones in proportion to
 * what changed.
 */
import type { Tensor } from "@connex/core";
import type { DirectedGraph } from "../graph.js";
import type { NeuralNetwork } from "../network.js";
import type { NeuronId } from "../neuron_id.js";
import { batchGroups, firingOrder, type BatchGroup, type FiringOrder, type NetworkTopology } from "../topology.js";
import { batchByPosition } from "./batch_order.js";

/** A structural edit, fully resolved by the calling plasticity function. */
export interface NetworkEdit {
  /** The edited graph (the original's graph is never modified). */
  readonly graph: DirectedGraph;
  readonly inputNeurons: readonly NeuronId[];
  readonly outputNeurons: readonly NeuronId[];
  /** The hidden neurons grouped into batches, in firing order (no edge inside a batch). */
  readonly hiddenBatches: readonly (readonly NeuronId[])[];
  /** Dropout probability of every neuron of the edited network. */
  readonly dropout: ReadonlyMap<NeuronId, number>;
  /**
   * Neurons whose inputs are not simply their old inputs minus removed neurons: heads of added
   * or removed edges. (New neurons need not be listed.)
   */
  readonly rewired: ReadonlySet<NeuronId>;
  /** Key for the parameters that did not exist before. */
  readonly key: Tensor;
}

/** Where a neuron fired in the old network: its batch and its row in the batch. */
export interface Place {
  readonly batch: number;
  readonly row: number;
}

/** The edit with everything its per-batch steps read. */
export interface EditContext {
  readonly net: NeuralNetwork;
  /** The old network's topology. */
  readonly old: NetworkTopology;
  readonly edit: NetworkEdit;
  /** The new firing groups (hidden batches, then the output batch). */
  readonly groups: readonly BatchGroup[];
  /** The new positions and chunk starts. */
  readonly firing: FiringOrder;
  /** New position of the neuron at each old position, -1 when removed. */
  readonly oldToNew: Int32Array;
  /** Old position of the neuron at each new position, -1 when new. */
  readonly newToOld: Int32Array;
  /** Old batch of the neuron at each old position (-1 for inputs). */
  readonly oldBatchAt: Int32Array;
  /** Surviving neurons keep their relative order (no neuron moved to another batch). */
  readonly keepsOrder: boolean;
}

/**
 * Whether surviving neurons keep their relative order, so mapping a sorted list of old
 * positions gives a sorted list of new ones.
 */
function keepsOrder(oldToNew: Int32Array): boolean {
  let last = -1;
  for (let i = 0; i < oldToNew.length; i++) {
    const p = oldToNew[i]!;
    if (p < 0) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

/**
 * The context of applying `edit` to `net`: new positions (laid out as construction lays them
 * out) and the old <-> new position maps.
 *
 * @example
 * editContext(net, edit).oldToNew[5]; // where the neuron at old position 5 sits now (-1: removed)
 */
export function editContext(net: NeuralNetwork, edit: NetworkEdit): EditContext {
  const old = net.structure.topology;
  const groups = batchGroups(edit.hiddenBatches, edit.outputNeurons);
  const firing = firingOrder(edit.inputNeurons, groups);
  const oldToNew = new Int32Array(old.order.length).fill(-1);
  const newToOld = new Int32Array(firing.order.length).fill(-1);
  for (let i = 0; i < old.order.length; i++) {
    const p = firing.position.get(old.order[i]!);
    if (p !== undefined) {
      oldToNew[i] = p;
      newToOld[p] = i;
    }
  }
  return { net, old, edit, groups, firing, oldToNew, newToOld, oldBatchAt: batchByPosition(old), keepsOrder: keepsOrder(oldToNew) };
}

/**
 * Where neuron `n` fired in the old network (`undefined` for inputs and new neurons).
 *
 * @example
 * placeOf(ctx, 5); // { batch: 1, row: 0 }
 */
export function placeOf(ctx: EditContext, n: NeuronId): Place | undefined {
  const p = ctx.old.position.get(n);
  if (p === undefined) return undefined;
  const batch = ctx.oldBatchAt[p]!;
  return batch < 0 ? undefined : { batch, row: p - ctx.old.batches[batch]!.start };
}
