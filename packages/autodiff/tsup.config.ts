// Every package builds the same way: see ../../tsup.config.base.ts.
export { default } from "../../tsup.config.base.js";
