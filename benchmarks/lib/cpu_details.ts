/**
 * Which processor a run's figures come from, beyond the model name Node reports. The machines
 * these benchmarks run on change between sessions under the same name ("AMD EPYC" was a Zen 4
 * with AVX-512 on one day and a Zen 3 without it on another), and the peers' kernels follow the
 * instruction set: OpenBLAS uses 512-bit FMAs where it can, our WebAssembly kernels are 128-bit
 * everywhere. So every result file records the processor family, model and vector extensions.
 */
import { readFileSync } from "node:fs";

/** The vector extensions worth naming, in the order they are printed. */
export const VECTOR_EXTENSIONS = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl", "avx512_bf16", "amx_tile", "asimd", "sve"] as const;

/** A processor's identity as `/proc/cpuinfo` gives it (x86: family and model numbers; Arm: implementer and part). */
export interface CpuDetails {
  /** `cpu family` (x86) or `CPU implementer` (Arm), as printed; null when absent. */
  readonly family: string | null;
  /** `model` (x86) or `CPU part` (Arm), as printed; null when absent. */
  readonly model: string | null;
  /** The {@link VECTOR_EXTENSIONS} the first processor lists among its flags (x86 `flags`, Arm `Features`). */
  readonly vector: readonly string[];
}

/**
 * The details of the first processor in the text of `/proc/cpuinfo`, or null when the text
 * names none (no `processor` entry).
 *
 * @example
 * parseCpuInfo("processor\t: 0\ncpu family\t: 25\nmodel\t\t: 1\nflags\t\t: fpu avx avx2 fma\n");
 * // { family: "25", model: "1", vector: ["avx", "avx2", "fma"] }
 */
export function parseCpuInfo(text: string): CpuDetails | null {
  // Entries are separated by blank lines; the first processor's is enough (they are alike here).
  const first = text.split(/\n\s*\n/).find((block) => /^processor\s*:/m.test(block));
  if (first === undefined) return null;
  const fields = new Map<string, string>();
  for (const line of first.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const flags = new Set((fields.get("flags") ?? fields.get("features") ?? "").split(/\s+/).filter((f) => f !== ""));
  return {
    family: fields.get("cpu family") ?? fields.get("cpu implementer") ?? null,
    model: fields.get("model") ?? fields.get("cpu part") ?? null,
    vector: VECTOR_EXTENSIONS.filter((f) => flags.has(f)),
  };
}

/**
 * This machine's processor details, read from `/proc/cpuinfo` (Linux); null elsewhere or when
 * the file cannot be read.
 *
 * @example
 * cpuDetails(); // { family: "25", model: "1", vector: ["sse4_2", "avx", "avx2", "fma"] } on a Zen 3 EPYC
 */
export function cpuDetails(path = "/proc/cpuinfo"): CpuDetails | null {
  try {
    return parseCpuInfo(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/**
 * A short description for a report's header: the model name with the family, model and vector
 * extensions when known, and which of AVX-512 and AVX2 are missing on an x86 processor.
 *
 * @example
 * describeCpu("AMD EPYC", { family: "25", model: "1", vector: ["avx", "avx2", "fma"] });
 * // "AMD EPYC, family 25 model 1, avx avx2 fma, no avx512f"
 */
export function describeCpu(name: string, details: CpuDetails | null): string {
  if (details === null) return name;
  const parts = [name];
  if (details.family !== null || details.model !== null) parts.push(`family ${details.family ?? "?"} model ${details.model ?? "?"}`);
  if (details.vector.length > 0) parts.push(details.vector.join(" "));
  const x86 = details.vector.includes("sse4_2") || details.vector.includes("avx");
  if (x86 && !details.vector.includes("avx512f")) parts.push("no avx512f");
  return parts.join(", ");
}
