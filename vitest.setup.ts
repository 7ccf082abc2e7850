import fc from "fast-check";

// Property tests explore new random cases on developers' machines; in CI they replay a fixed
// seed so that a submission's result does not depend on luck. A failure prints its seed and
// counterexample either way.
if (process.env.CI) fc.configureGlobal({ seed: 20261127 });
