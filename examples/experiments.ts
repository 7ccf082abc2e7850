/**
 * `pnpm experiments [name] [--option value ...]`: the full MNIST reproductions, each writing its
 * JSON to examples/results/ (the README's tables come from those files). With no name, all
 * three run in turn. Runs from the TypeScript sources (tsx), no build needed.
 *
 *   pnpm experiments lottery        lottery tickets, LeNet-300-100, 15 rounds (examples/lottery_ticket.ts)
 *   pnpm experiments set            SET vs static sparse vs dense (examples/sparse_evolutionary_training.ts)
 *   pnpm experiments neurogenesis   a network that grows at loss plateaus (examples/neurogenesis.ts)
 */
export {};

const EXPERIMENTS: Record<string, () => Promise<{ main: (argv: readonly string[]) => Promise<void> }>> = {
  lottery: () => import("./lottery_ticket.js"),
  set: () => import("./sparse_evolutionary_training.js"),
  neurogenesis: () => import("./neurogenesis.js"),
};

const [name, ...rest] = process.argv.slice(2);
if (name !== undefined && !name.startsWith("--") && !(name in EXPERIMENTS)) {
  console.error(`experiments: unknown experiment ${JSON.stringify(name)}; expected one of ${Object.keys(EXPERIMENTS).join(", ")} (or none for all)`);
  process.exit(1);
}
const chosen = name === undefined || name.startsWith("--") ? Object.keys(EXPERIMENTS) : [name];
const argv = name === undefined || name.startsWith("--") ? process.argv.slice(2) : rest;
for (const experiment of chosen) await (await EXPERIMENTS[experiment]!()).main(argv);
