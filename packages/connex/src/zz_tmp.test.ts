import { it } from "vitest";
import { random } from "@connex/core";
import { train } from "../../../examples/readme_network.js";
it("curve", () => { 
  for (let k = 0; k < 8; k++) { const { losses } = train({ epochs: 1000, key: random.key(k) }); console.log("CURVE", k, [0,100,200,400,600,800,999].map(i=>losses[i]!.toFixed(4)).join(" ")); }
});
