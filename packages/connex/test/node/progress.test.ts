import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { InvalidOptionError } from "../../src/errors.js";
import { progress } from "../../src/node/progress.js";

/** A clock the test advances by hand. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("progress (connex/node)", () => {
  it("updates one notebook display, throttled, with step, loss and steps/s", () => {
    const shown: string[] = [];
    const c = clock();
    const bar = progress({ total: 10, mode: "notebook", display: { html: (s) => shown.push(s), svg: () => {} }, now: c.now, minIntervalMs: 100 });
    expect(shown.length).toBe(1); // the initial state
    for (let i = 1; i <= 10; i++) {
      c.advance(50); // 20 steps/s
      bar.update(i, 1 / i);
    }
    // Redrawn every 100 ms (every other step) plus the last step.
    expect(shown.length).toBe(1 + 5);
    expect(shown[shown.length - 1]).toContain("step 10/10 | loss 0.1000 | 20.0 steps/s");
    expect(bar.stepsPerSecond).toBeCloseTo(20, 10);
    bar.stop();
    expect(shown[shown.length - 1]).toContain("| done");
    const count = shown.length;
    bar.update(11, 0);
    bar.stop();
    expect(shown.length).toBe(count); // ignored after stop
  });

  it("writes a terminal progress line (plain lines when not a TTY)", () => {
    let out = "";
    const stream = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const c = clock();
    const bar = progress({ total: 4, mode: "terminal", stream, label: "fit", now: c.now });
    for (let i = 1; i <= 4; i++) {
      c.advance(250);
      bar.update(i, 0.5 / i);
    }
    bar.stop();
    expect(out).toMatch(/fit \[.*\] 100% \| step 4\/4 \| loss 0\.1250 \| 4\.0 steps\/s/);
  });

  it("shows nothing in silent mode but still measures", () => {
    const c = clock();
    const bar = progress({ total: 3, mode: "silent", now: c.now });
    c.advance(1000);
    bar.update(3, 2);
    expect(bar.step).toBe(3);
    expect(bar.loss).toBe(2);
    expect(bar.stepsPerSecond).toBe(3);
    bar.stop();
  });

  it("rejects bad options and steps", () => {
    expect(() => progress({ total: -1 })).toThrow(InvalidOptionError);
    expect(() => progress({ total: 3, mode: "gui" as never })).toThrow(/mode must be/);
    expect(() => progress({ total: 3, mode: "notebook" })).toThrow(/needs a tslab kernel or a display option/);
    const bar = progress({ total: 3, mode: "silent" });
    expect(() => bar.update(Number.NaN)).toThrow(/step must be a non-negative number/);
  });
});
