/**
 * The shared engine of every structural edit: given the edited graph, roles and partition of
 * the hidden neurons into batches, lay out the new network and carry its parameters over.
 *
 * The steps are construction's (`topology.ts`, `init.ts`, `weight_layout.ts`), fed from the old
 * network where it already holds the answer, so cost is in proportion to what changed:
 *  1. positions: construction's `firingOrder` over the new batches (one pass over the neurons),
 *     plus old <-> new position maps (`edit_context.ts`);
 *  2. layouts: each batch's layout as construction lays it out, with the rows whose inputs did
 *     not change mapped from their old columns, and unchanged layouts kept as they are
 *     (`edited_layout.ts`);
 *  3. structure: a `NetworkStructure` with the network's weight-layout rule, which lays out each
 *     batch's weights as construction does;
 *  4. records (`carried_record.ts`): a batch's parameter record is
 *     - shared (`===`) when its neurons, the neurons its input range covers, and its edges are
 *       unchanged (this holds across pure position shifts: records hold nothing positional);
 *     - patched with immer (`weights` and `mask` replaced) when only its edges changed;
 *     - remapped entry by entry otherwise: every surviving value is copied by neuron identity
 *       and only missing entries are drawn.
 */
import { NeuralNetwork } from "../network.js";
import type { TopoBatchParameters } from "../parameters.js";
import { NetworkStructure } from "../structure.js";
import { assembleTopology, type BatchLayout } from "../topology.js";
import { recordWithEditedEdges, remappedRecord } from "./carried_record.js";
import { editContext, placeOf, type EditContext, type NetworkEdit, type Place } from "./edit_context.js";
import { EditedLayouts } from "./edited_layout.js";
import { OldParameters } from "./old_parameters.js";
import { sameElements } from "../frozen_arrays.js";

export type { NetworkEdit } from "./edit_context.js";

/** Same neurons reading the same positions' neurons: the old record's columns still apply. */
function sameInputRange(ctx: EditContext, layout: BatchLayout, oldBatch: number): boolean {
  const old = ctx.old.batches[oldBatch]!;
  const width = layout.inputEnd - layout.inputStart;
  if (width !== old.inputEnd - old.inputStart) return false;
  for (let k = 0; k < width; k++) if (ctx.newToOld[layout.inputStart + k] !== old.inputStart + k) return false;
  return true;
}

/** How a batch's record is obtained from the old network. */
type RecordSource =
  | { kind: "shared"; oldBatch: number }
  | { kind: "edgesEdited"; oldBatch: number }
  | { kind: "remapped"; sources: readonly (Place | undefined)[]; origin: number };

/**
 * The network `edit` describes, built from `net` with every surviving parameter carried over
 * and every untouched batch's record shared by reference.
 *
 * @example
 * applyEdit(net, { graph, inputNeurons, outputNeurons, hiddenBatches, dropout, rewired, key });
 */
export function applyEdit(net: NeuralNetwork, edit: NetworkEdit): NeuralNetwork {
  const ctx = editContext(net, edit);
  const layouts = new EditedLayouts(ctx);
  const batches: BatchLayout[] = [];
  const recordSources: RecordSource[] = [];
  ctx.groups.forEach((group, b) => {
    const sources = group.neurons.map((n) => placeOf(ctx, n));
    const origin = sources.find((s) => s !== undefined)?.batch ?? -1;
    const layout = layouts.layout(b, sources, origin);
    batches.push(layout);
    const oldLayout = origin >= 0 ? ctx.old.batches[origin]! : null;
    const sameNeurons = oldLayout !== null && sameElements(oldLayout.neurons, group.neurons);
    if (sameNeurons && sameInputRange(ctx, layout, origin)) {
      const sameEdges = sameElements(layout.inputColumns, oldLayout.inputColumns);
      recordSources.push(sameEdges ? { kind: "shared", oldBatch: origin } : { kind: "edgesEdited", oldBatch: origin });
    } else {
      recordSources.push({ kind: "remapped", sources, origin });
    }
  });

  const topology = assembleTopology(ctx.firing, edit.inputNeurons, edit.outputNeurons, batches);
  const { features, dtype, weightLayout } = net.structure;
  const structure = new NetworkStructure(edit.graph, topology, edit.dropout, features, dtype, weightLayout);
  const old = new OldParameters(net);
  const records = recordSources.map((source, b): TopoBatchParameters => {
    const layout = batches[b]!;
    const batchWeights = structure.weightLayouts[b]!;
    switch (source.kind) {
      case "shared":
        return net.batchParameters[source.oldBatch]!;
      case "edgesEdited":
        return recordWithEditedEdges(ctx, b, layout, batchWeights, source.oldBatch);
      case "remapped":
        return remappedRecord(ctx, old, b, layout, batchWeights, source.sources, source.origin);
    }
  });
  return NeuralNetwork.fromParts({
    structure,
    batchParameters: records,
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
  });
}

/**
 * A new network object with exactly the parts of `net` (what an edit that changes nothing
 * returns: every record, the structure and the activations are shared).
 *
 * @example
 * unchangedCopy(net).batchParameters[0] === net.batchParameters[0]; // true
 */
export function unchangedCopy(net: NeuralNetwork): NeuralNetwork {
  return NeuralNetwork.fromParts({
    structure: net.structure,
    batchParameters: net.batchParameters,
    hiddenActivation: net.hiddenActivation,
    outputTransformation: net.outputTransformation,
  });
}
