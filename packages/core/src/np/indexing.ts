// Filled in by the core issue's work on structure ops.
export {};
