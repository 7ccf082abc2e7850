/**
 * A topological order of a network's graph that follows edges as they are added, so that
 * `regrowConnections` can tell at once whether a new edge closes a cycle (Pearce & Kelly, "A
 * dynamic topological sort algorithm for directed acyclic graphs", ACM JEA 11, 2006).
 *
 * Nodes are the network's positions, and the order starts as the positions themselves (inputs,
 * hidden neurons batch by batch, outputs: already topological). An edge `p -> q` with `p`
 * before `q` cannot close a cycle and costs nothing. Otherwise a cycle exists exactly when `q`
 * reaches `p`, and any such path stays among the nodes ordered between them, so the search is
 * bounded by that window; when there is none, the nodes found on both sides are renumbered
 * within the same set of order values so the order stays topological. The network's adjacency
 * is only built the first time such a search is needed.
 */
import type { NetworkTopology } from "../topology.js";

/** The network's edges by position, in compressed rows both ways. */
interface Adjacency {
  readonly succStart: Int32Array;
  readonly succ: Int32Array;
  readonly predStart: Int32Array;
  readonly pred: Int32Array;
}

function adjacencyOf(topology: NetworkTopology): Adjacency {
  const n = topology.order.length;
  const outDegree = new Int32Array(n + 1);
  const predStart = new Int32Array(n + 1);
  for (const layout of topology.batches) {
    layout.inputColumns.forEach((cols, r) => {
      predStart[layout.start + r + 1] = cols.length;
      for (const c of cols) outDegree[layout.inputStart + c + 1]!++;
    });
  }
  for (let i = 0; i < n; i++) {
    predStart[i + 1]! += predStart[i]!;
    outDegree[i + 1]! += outDegree[i]!;
  }
  const succStart = outDegree.slice();
  const fill = outDegree;
  const succ = new Int32Array(succStart[n]!);
  const pred = new Int32Array(predStart[n]!);
  for (const layout of topology.batches) {
    layout.inputColumns.forEach((cols, r) => {
      const q = layout.start + r;
      let k = predStart[q]!;
      for (const c of cols) {
        const p = layout.inputStart + c;
        pred[k++] = p;
        succ[fill[p]!++] = q;
      }
    });
  }
  return { succStart, succ, predStart, pred };
}

/**
 * The graph of a network's topology plus the edges added through `tryAdd`, with a topological
 * order kept up to date.
 *
 * @example
 * const order = new IncrementalTopologicalOrder(net.structure.topology);
 * order.tryAdd(5, 4); // true, and 4 -> 5 would now close a cycle: order.tryAdd(4, 5) is false
 */
export class IncrementalTopologicalOrder {
  /** `rank[p]`: where position `p` stands in the current order. */
  private readonly rank: Int32Array;
  private adjacency: Adjacency | undefined;
  /** Successors and predecessors through added edges, by position. */
  private readonly addedSucc: (number[] | undefined)[];
  private readonly addedPred: (number[] | undefined)[];
  /** Visit marks: a node is visited in the current search when its mark equals the stamp. */
  private readonly mark: Int32Array;
  private stamp = 0;

  constructor(private readonly topology: NetworkTopology) {
    const n = topology.order.length;
    this.rank = new Int32Array(n);
    for (let i = 0; i < n; i++) this.rank[i] = i;
    this.addedSucc = new Array<number[] | undefined>(n);
    this.addedPred = new Array<number[] | undefined>(n);
    this.mark = new Int32Array(n);
  }

  /** Whether `p` comes before `q` in the current order (then `p -> q` cannot close a cycle). */
  before(p: number, q: number): boolean {
    return this.rank[p]! < this.rank[q]!;
  }

  /** The sources of the edges added into `q` so far. */
  addedSources(q: number): readonly number[] {
    return this.addedPred[q] ?? [];
  }

  /**
   * Add the edge `p -> q` and return true, or return false and change nothing when it would
   * close a cycle (including `p === q`). The edge must not be present already.
   */
  tryAdd(p: number, q: number): boolean {
    if (p === q) return false;
    if (this.rank[p]! > this.rank[q]! && !this.reorder(p, q)) return false;
    (this.addedSucc[p] ??= []).push(q);
    (this.addedPred[q] ??= []).push(p);
    return true;
  }

  /** For `p` after `q`: false if `q` reaches `p`, else renumber so that `p` comes before `q`. */
  private reorder(p: number, q: number): boolean {
    const adjacency = (this.adjacency ??= adjacencyOf(this.topology));
    const { rank, mark } = this;
    const low = rank[q]!;
    const high = rank[p]!;
    // Forward from q, among nodes ranked below p: reaching p means a cycle.
    const forwardStamp = ++this.stamp;
    const forward = [q];
    mark[q] = forwardStamp;
    const { succStart, succ, predStart, pred } = adjacency;
    for (let i = 0; i < forward.length; i++) {
      const w = forward[i]!;
      const added = this.addedSucc[w];
      const base = succStart[w + 1]! - succStart[w]!;
      const total = base + (added?.length ?? 0);
      for (let k = 0; k < total; k++) {
        const s = k < base ? succ[succStart[w]! + k]! : added![k - base]!;
        if (s === p) return false;
        if (rank[s]! < high && mark[s] !== forwardStamp) {
          mark[s] = forwardStamp;
          forward.push(s);
        }
      }
    }
    // Backward from p, among nodes ranked above q (disjoint from `forward`, or there would be a cycle).
    const backwardStamp = ++this.stamp;
    const backward = [p];
    mark[p] = backwardStamp;
    for (let i = 0; i < backward.length; i++) {
      const w = backward[i]!;
      const added = this.addedPred[w];
      const base = predStart[w + 1]! - predStart[w]!;
      const total = base + (added?.length ?? 0);
      for (let k = 0; k < total; k++) {
        const s = k < base ? pred[predStart[w]! + k]! : added![k - base]!;
        if (rank[s]! > low && mark[s] !== backwardStamp) {
          mark[s] = backwardStamp;
          backward.push(s);
        }
      }
    }
    // p's ancestors in the window, then q's descendants, each in their old relative order,
    // take the window's order values in increasing order.
    const byRank = (a: number, b: number) => rank[a]! - rank[b]!;
    backward.sort(byRank);
    forward.sort(byRank);
    const moved = backward.concat(forward);
    const values = Int32Array.from(moved, (w) => rank[w]!).sort();
    moved.forEach((w, i) => (rank[w] = values[i]!));
    return true;
  }
}
