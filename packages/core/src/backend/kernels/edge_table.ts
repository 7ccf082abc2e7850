import { ValueError } from "../../errors.js";

/** Edges grouped by row (compressed sparse row order), as the sparse kernels walk them. */
export interface RowGrouping {
  /** `order[k]`: the edge at sorted position `k` (`null` when the edges are already sorted by row). */
  readonly order: Int32Array | null;
  /** `rowStart[r] .. rowStart[r + 1]`: the sorted positions of row `r`'s edges (length `rowBound + 1`). */
  readonly rowStart: Int32Array;
  /** Column of the edge at each sorted position. */
  readonly cols: Int32Array;
}

let nextId = 0;

/**
 * The static index tables of a sparse matrix with `size` stored entries: entry `e` sits at
 * `(rows[e], cols[e])`. Used as a primitive parameter by `spmv` and `edge_dot`, so it is
 * immutable (built from copies, never written) and compared by identity: `toJSON()` gives a
 * short unique name, so jit's common-subexpression pass merges only uses of the same table.
 * Derived tables (the transpose, the row grouping) are computed once and cached.
 *
 * @example
 * const t = EdgeTable.of([0, 0, 1], [2, 0, 1]); // (0,2), (0,0), (1,1)
 * t.rowBound; // 2
 */
export class EdgeTable {
  /** Number of entries. */
  readonly size: number;
  /** One more than the largest row (0 when empty). */
  readonly rowBound: number;
  /** One more than the largest column (0 when empty). */
  readonly colBound: number;
  private readonly id = nextId++;
  private transposeCache: EdgeTable | undefined;
  private groupingCache: RowGrouping | undefined;
  private readonly derived = new Map<string, unknown>();

  private constructor(
    /** Row of each entry (read-only). */
    readonly rows: Int32Array,
    /** Column of each entry (read-only). */
    readonly cols: Int32Array,
  ) {
    this.size = rows.length;
    let rb = 0;
    let cb = 0;
    for (let e = 0; e < rows.length; e++) {
      rb = Math.max(rb, rows[e]! + 1);
      cb = Math.max(cb, cols[e]! + 1);
    }
    this.rowBound = rb;
    this.colBound = cb;
  }

  /**
   * A table from row and column index lists of equal length (non-negative integers; copied).
   * Throws `ValueError` naming the first bad entry.
   *
   * @example
   * EdgeTable.of([1, 0], [0, 0]).size; // 2
   */
  static of(rows: ArrayLike<number>, cols: ArrayLike<number>): EdgeTable {
    if (rows.length !== cols.length) throw new ValueError(`EdgeTable: ${rows.length} rows but ${cols.length} columns`);
    const r = new Int32Array(rows.length);
    const c = new Int32Array(cols.length);
    for (let e = 0; e < rows.length; e++) {
      const [i, j] = [rows[e]!, cols[e]!];
      if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i > 0x7fffffff || j > 0x7fffffff) {
        throw new ValueError(`EdgeTable: entry ${e} is (${i}, ${j}); rows and columns must be non-negative int32 integers`);
      }
      r[e] = i;
      c[e] = j;
    }
    return new EdgeTable(r, c);
  }

  /**
   * The table with rows and columns swapped (entry `e` at `(cols[e], rows[e])`); cached, and
   * its own transpose is this table.
   *
   * @example
   * EdgeTable.of([0], [3]).transposed().rows; // Int32Array [3]
   */
  transposed(): EdgeTable {
    if (!this.transposeCache) {
      const t = new EdgeTable(this.cols, this.rows);
      t.transposeCache = this;
      this.transposeCache = t;
    }
    return this.transposeCache;
  }

  /**
   * The entries grouped by row (stable: within a row, in entry order); cached.
   *
   * @example
   * EdgeTable.of([1, 0], [5, 6]).byRow().rowStart; // Int32Array [0, 1, 2]
   */
  byRow(): RowGrouping {
    if (this.groupingCache) return this.groupingCache;
    const { rows, cols, size, rowBound } = this;
    const rowStart = new Int32Array(rowBound + 1);
    for (let e = 0; e < size; e++) rowStart[rows[e]! + 1]!++;
    for (let r = 0; r < rowBound; r++) rowStart[r + 1]! += rowStart[r]!;
    let sorted = true;
    for (let e = 1; e < size && sorted; e++) sorted = rows[e]! >= rows[e - 1]!;
    let order: Int32Array | null = null;
    let sortedCols = cols;
    if (!sorted) {
      order = new Int32Array(size);
      sortedCols = new Int32Array(size);
      const next = rowStart.slice(0, rowBound);
      for (let e = 0; e < size; e++) {
        const k = next[rows[e]!]!++;
        order[k] = e;
        sortedCols[k] = cols[e]!;
      }
    }
    this.groupingCache = { order, rowStart, cols: sortedCols };
    return this.groupingCache;
  }

  /**
   * @internal A value derived from this table, computed by `make` on first use and cached under
   * `name` (the kernels keep generated code here).
   *
   * @example
   * table.memo("size squared", () => table.size ** 2);
   */
  memo<T>(name: string, make: () => T): T {
    if (!this.derived.has(name)) this.derived.set(name, make());
    return this.derived.get(name) as T;
  }

  /**
   * A short name unique to this table (jit compares and prints parameters through JSON).
   *
   * @example
   * JSON.stringify({ edges: EdgeTable.of([0], [0]) }); // '{"edges":"EdgeTable#7(1 entries)"}'
   */
  toJSON(): string {
    return `EdgeTable#${this.id}(${this.size} entries)`;
  }
}
