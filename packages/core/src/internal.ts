/**
 * `@connex/core/internal`: the private backend boundary, for `@connex/autodiff` only. Not
 * part of the public API: no stability promise, and user code must not import it.
 *
 * Behind it: the jaxpr IR (the program a trace records), and `compile(jaxpr)`, which lowers a
 * jaxpr with each primitive's lowering facts (fusable, `unfusedFor`, `outputBuffers`) through
 * the fuser, the buffer plan and the executor's code generator onto the kernels and the
 * allocator. Everything else of the backend stays unexported, but for `poolChoiceCounts`
 * (diagnostics the benchmarks print), and the deletion marks jit checks its arguments against
 * (`deletionCause`, `coversStorage`).
 *
 * @packageDocumentation
 */
export { compile, type Executable, type CompileOptions } from "./backend/compile/compile.js";
export type { Step, FusedGroup, SingleStep } from "./backend/compile/fuse.js";
export { poolChoiceCounts } from "./backend/threads/pool_choice.js";
export { formatJaxpr, type Jaxpr, type Eqn, type Var, type Atom } from "./jaxpr.js";
export { coversStorage, deletionCause, type DeletionCause } from "./deletion.js";
