/**
 * @connex/autodiff: JAX's transformations as interpreters over `@connex/core`'s primitives.
 * `grad`, `valueAndGrad`, `vjp` (a tape of per-primitive vjp rules), `jvp`, `vmap`,
 * `jacfwd`/`jacrev`/`hessian`, Equinox-style filter transforms and `checkGrads`. All compose,
 * because every rule is written with primitives and dispatched through core's `bind`.
 *
 * @packageDocumentation
 * @module \@connex/autodiff
 */
export { grad, valueAndGrad, vjp, type GradOptions } from "./grad.js";
export { jvp, JVPTrace, JVPTracer } from "./jvp.js";
export { vmap, BatchTrace, BatchTracer, type AxisSpec } from "./vmap.js";
export { ReverseTrace, ReverseTracer } from "./reverse.js";
export { jacfwd, jacrev, hessian, type JacobianOptions } from "./jacobian.js";
export { filterGrad, filterValueAndGrad, type FilterGradOptions } from "./filter_transforms.js";
export { checkGrads, GradientCheckError, type CheckGradsOptions } from "./check_grads.js";
export { withNewTrace, currentDepth } from "./trace_stack.js";
export { jit, filterJit, makeJaxpr, type JitOptions, type FilterJitOptions, type MakeJaxprOptions, type DonateMode, type JittedFunction } from "./jit/jit.js";
export { formatJaxpr, type Jaxpr, type Eqn, type Var, type Atom } from "@connex/core/internal";
