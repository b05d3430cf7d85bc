/**
 * What `import "openrouter-effect"` costs: modules loaded and import time (plain Node on the built
 * `dist/`, each run in a fresh process, median of RUNS) against `effect` + `@effect/platform`, which
 * any program using the client loads anyway; and the minified esbuild bundle of `{ Workspaces }` alone
 * against the whole entry (what `"sideEffects": false` lets a bundler leave out).
 *
 *     npm run build && npm run bench:packaging
 */
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const loader = fileURLToPath(new URL("./support/loaded-modules.mjs", import.meta.url))
const RUNS = Number(process.env.RUNS ?? 9)

const measure = (specifiers: ReadonlyArray<string>) => {
  const runs = Array.from(
    { length: RUNS },
    () =>
      JSON.parse(execFileSync(process.execPath, [loader, ...specifiers], { cwd: root, encoding: "utf8" })) as {
        modules: Array<string>
        ms: number
      }
  )
  const times = runs.map((r) => r.ms).sort((a, b) => a - b)
  const modules = runs[0]!.modules
  const packages = new Set(modules.flatMap((url) => url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? []))
  return { modules: modules.length, packages: [...packages].sort(), ms: times[Math.floor(times.length / 2)]! }
}

const bundle = async (contents: string) => {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    metafile: true,
    logLevel: "error",
    // the built package, as a user's bundler sees it (not the tsconfig path to src/)
    alias: { "openrouter-effect": `${root}dist/index.js` }
  })
  const output = Object.values(result.metafile.outputs)[0]!
  const ours = Object.entries(output.inputs)
    .filter(([path]) => path.startsWith("dist/"))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0)
  return { total: result.outputFiles[0]!.contents.byteLength, ours }
}

const baseline = measure(["effect", "@effect/platform"])
const client = measure([`${root}dist/index.js`])
console.log(`import time, median of ${RUNS} fresh processes (plain Node, dist/):`)
console.log(`  effect + @effect/platform   ${baseline.modules} modules  ${baseline.ms.toFixed(0)} ms`)
console.log(
  `  openrouter-effect           ${client.modules} modules  ${client.ms.toFixed(0)} ms  = ${(client.ms / baseline.ms).toFixed(2)}× (target ≤ 1.3×)`
)
console.log(`  packages loaded: ${client.packages.join(", ")}`)

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const workspaces = await bundle(`import { Workspaces } from "openrouter-effect"\nexport const tag = Workspaces.Workspaces`)
const all = await bundle(`export * from "openrouter-effect"`)
const effectOnly = await bundle(
  `import { Effect, Layer, Schema, Stream } from "effect"\nimport { HttpClient } from "@effect/platform"\nexport { Effect, Layer, Schema, Stream, HttpClient }`
)
console.log("esbuild bundle, minified (ours = bytes from openrouter-effect's own modules):")
console.log(`  { Workspaces }        ${kb(workspaces.total)} total, ours ${kb(workspaces.ours)}`)
console.log(`  the whole entry       ${kb(all.total)} total, ours ${kb(all.ours)}`)
console.log(`  effect + platform only (Effect, Layer, Schema, Stream, HttpClient)  ${kb(effectOnly.total)}`)
