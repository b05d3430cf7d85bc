/**
 * `npm run bench:cli`: how long `openrouter-admin` takes as a whole process — `--version`, `--help`,
 * a job's help and `workspaces get` against a simulator in another process — as the median of 10 runs each
 * (after one warm-up run, so the file system cache is warm as it is for someone typing commands), beside
 * bare `node -e 0` measured in the same run, interleaved run by run (a loaded machine slows both alike).
 *
 * Targets (issue 14): `--version` ≤ 1.5× `node -e 0` (it answers without loading Effect),
 * `workspaces get` ≤ 0.5 s; (issue 11) `--help` and a job's help ≤ 0.35 s.
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

/** Seconds of one whole-process run of `node ...args`. */
const once = (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: "utf8" })
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`)
  return elapsed
}

/**
 * The CLI with `args` and bare `node -e 0`, alternately, `runs` times each after a warm-up of both:
 * seconds per run of each.
 */
const time = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const cli: Array<number> = []
  const node: Array<number> = []
  for (let i = 0; i <= runs; i++) {
    const a = once([bin, ...args], env)
    const b = once(["-e", "0"], {})
    if (i > 0) {
      cli.push(a)
      node.push(b)
    }
  }
  return { cli, node }
}

type Target = { readonly seconds: number } | { readonly timesNode: number }

const sim = await spawnSimulator({ seed: "bench-cli", organization: { members: 50 } })
const env = { OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl }
const cases: ReadonlyArray<[label: string, args: ReadonlyArray<string>, target: Target, env?: Record<string, string>]> = [
  ["--version", ["--version"], { timesNode: 1.5 }],
  ["--help", ["--help"], { seconds: 0.35 }],
  // a command's help loads that command's module (the jobs: SQLite, specs)
  ["onboard --help", ["onboard", "--help"], { seconds: 0.35 }],
  ["workspaces get research --json", ["workspaces", "get", "research", "--json"], { seconds: 0.5 }, env]
]
try {
  console.log(`openrouter-admin start-up, median of ${runs} whole-process runs, each beside a run of node -e 0`)
  for (const [label, args, target, extra] of cases) {
    const { cli, node } = time(args, extra)
    const m = median(cli)
    const ratio = m / median(node)
    const met = "seconds" in target ? m <= target.seconds : ratio <= target.timesNode
    console.log(
      `  ${label.padEnd(32)} ${m.toFixed(3)} s  ${ratio.toFixed(2)}× node (${median(node).toFixed(3)} s)  (min ${Math.min(...cli).toFixed(3)}, max ${
        Math.max(...cli).toFixed(3)
      })  target ≤ ${"seconds" in target ? `${target.seconds} s` : `${target.timesNode}× node`} ${met ? "met" : "MISSED"}`
    )
  }
} finally {
  await sim.stop()
}
