import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuDetails, describeCpu, parseCpuInfo } from "./cpu_details.js";

// Two entries of an x86 /proc/cpuinfo, as a Zen 3 EPYC under KVM prints them (flags shortened).
const ZEN3 = [
  "processor\t: 0",
  "vendor_id\t: AuthenticAMD",
  "cpu family\t: 25",
  "model\t\t: 1",
  "model name\t: AMD EPYC",
  "flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni vaes",
  "",
  "processor\t: 1",
  "cpu family\t: 25",
  "model\t\t: 1",
  "flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 sha_ni vaes",
  "",
].join("\n");

const ZEN4 = "processor\t: 0\ncpu family\t: 25\nmodel\t\t: 17\nflags\t\t: sse4_2 avx avx2 fma avx512f avx512vl avx512_bf16\n";

// An Arm entry: implementer and part instead of family and model, `Features` instead of `flags`.
const GRAVITON = "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes sve\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n";

describe("parseCpuInfo", () => {
  it("reads the first processor's family, model and vector extensions", () => {
    expect(parseCpuInfo(ZEN3)).toEqual({ family: "25", model: "1", vector: ["sse4_2", "avx", "avx2", "fma"] });
    expect(parseCpuInfo(ZEN4)).toEqual({ family: "25", model: "17", vector: ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512_bf16"] });
  });

  it("reads an Arm entry's implementer, part and features", () => {
    expect(parseCpuInfo(GRAVITON)).toEqual({ family: "0x41", model: "0xd40", vector: ["asimd", "sve"] });
  });

  it("does not take a flag for a longer one that contains it", () => {
    // `avx512fp16` is not `avx512f`, `avx2` alone is not `avx`.
    expect(parseCpuInfo("processor : 0\nflags : avx2 avx512fp16\n")!.vector).toEqual(["avx2"]);
  });

  it("gives null fields where the entry has none, and null for text without a processor", () => {
    expect(parseCpuInfo("processor : 0\n")).toEqual({ family: null, model: null, vector: [] });
    expect(parseCpuInfo("")).toBeNull();
    expect(parseCpuInfo("MemTotal: 1 kB\n")).toBeNull();
  });
});

describe("cpuDetails", () => {
  it("parses the given file, and gives null when it does not exist", () => {
    const dir = mkdtempSync(join(tmpdir(), "cpuinfo-"));
    const file = join(dir, "cpuinfo");
    writeFileSync(file, ZEN3);
    expect(cpuDetails(file)).toEqual({ family: "25", model: "1", vector: ["sse4_2", "avx", "avx2", "fma"] });
    expect(cpuDetails(join(dir, "absent"))).toBeNull();
  });
});

describe("describeCpu", () => {
  it("names the model, the family and model numbers, the extensions and a missing AVX-512", () => {
    expect(describeCpu("AMD EPYC", parseCpuInfo(ZEN3))).toBe("AMD EPYC, family 25 model 1, sse4_2 avx avx2 fma, no avx512f");
    expect(describeCpu("AMD EPYC", parseCpuInfo(ZEN4))).toBe("AMD EPYC, family 25 model 17, sse4_2 avx avx2 fma avx512f avx512vl avx512_bf16");
  });

  it("does not call an Arm processor short of AVX-512, and keeps the name alone without details", () => {
    expect(describeCpu("Neoverse", parseCpuInfo(GRAVITON))).toBe("Neoverse, family 0x41 model 0xd40, asimd sve");
    expect(describeCpu("Apple M2", null)).toBe("Apple M2");
  });
});
