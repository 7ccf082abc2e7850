import { overheadSuite } from "./overhead.bench.js";
import { formatTable } from "./lib/report.js";
const out = await overheadSuite.run({ quick: process.argv.includes("--quick"), log: (m) => console.error(m) });
console.log(formatTable(out.rows)); for (const r of out.rows) console.log(r.variant, r.note);
