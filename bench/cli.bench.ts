/**
 * `npm run bench:cli`: how long `openrouter-admin` takes as a whole process — `--version`, `--help`,
 * a job's help and `workspaces get` against a simulator in another process — as the median of 10 runs each
 * (after one warm-up run, so the file system cache is warm as it is for someone typing commands).
 *
 * Targets (issue 11): `--version` and `--help` ≤ 0.35 s, `workspaces get` ≤ 0.6 s.
 * Build first (`npm run build`): this runs the bin, which runs the bundle in dist/bin.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { spawnSimulator } from "./spawn-simulator.ts"

const bin = fileURLToPath(new URL("../bin/openrouter-admin.mjs", import.meta.url))
if (!existsSync(fileURLToPath(new URL("../dist/bin/main.mjs", import.meta.url)))) {
  console.error("dist/bin/main.mjs is missing: run `npm run build` first")
  process.exit(2)
}
const runs = Number(process.env.RUNS ?? 10)

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Seconds per whole-process run of the CLI with `args`, `runs` times after a warm-up. */
const time = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const seconds: Array<number> = []
  for (let i = 0; i <= runs; i++) {
    const started = process.hrtime.bigint()
    const result = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: "utf8" })
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`)
    if (i > 0) seconds.push(elapsed)
  }
  return seconds
}

const sim = await spawnSimulator({ seed: "bench-cli", organization: { members: 50 } })
const env = { OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl }
const cases: ReadonlyArray<[label: string, args: ReadonlyArray<string>, target: number, env?: Record<string, string>]> = [
  ["--version", ["--version"], 0.35],
  ["--help", ["--help"], 0.35],
  // a command's help loads that command's module (the jobs: SQLite, specs)
  ["onboard --help", ["onboard", "--help"], 0.35],
  ["workspaces get research --json", ["workspaces", "get", "research", "--json"], 0.6, env]
]
try {
  const floor = (() => {
    const seconds: Array<number> = []
    for (let i = 0; i <= runs; i++) {
      const started = process.hrtime.bigint()
      spawnSync(process.execPath, ["-e", "0"])
      if (i > 0) seconds.push(Number(process.hrtime.bigint() - started) / 1e9)
    }
    return median(seconds)
  })()
  console.log(`openrouter-admin start-up, median of ${runs} whole-process runs (node -e 0 alone: ${floor.toFixed(3)} s)`)
  for (const [label, args, target, extra] of cases) {
    const seconds = time(args, extra)
    const m = median(seconds)
    console.log(
      `  ${label.padEnd(32)} ${m.toFixed(3)} s  (min ${Math.min(...seconds).toFixed(3)}, max ${
        Math.max(...seconds).toFixed(3)
      })  target ≤ ${target} s ${m <= target ? "met" : "MISSED"}`
    )
  }
} finally {
  await sim.stop()
}
