/**
 * The client entry point (`openrouter-effect`) loads no SQLite, no CLI and no simulator: a program that
 * only uses the services installs and loads no native module. Walks the static imports from
 * `src/index.ts`, as a bundler or Node would, then loads the built `dist/index.js` in plain Node and
 * lists every module it resolved; and bundles `{ Workspaces }` alone to see the other services left out.
 */
import { describe, expect, it } from "@effect/vitest"
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The modules a file loads at run time (type-only imports load nothing). */
const importsOf = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/^((?:import|export)\s[^;]*?from\s+"([^"]+)")|^import\s+"([^"]+)"/gms)]
    .filter((m) => m[1] === undefined || !/^(?:import|export)\s+type\s/.test(m[1]))
    .map((m) => m[2] ?? m[3]!)

/** Every module reachable from `entry` by static imports: our files and the packages they name. */
const graph = (entry: string) => {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier))
      else packages.add(specifier)
    }
  }
  visit(entry)
  return { files: [...files], packages: [...packages] }
}

const src = fileURLToPath(new URL("../src/", import.meta.url))
const manifest = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"))

describe("packaging", () => {
  it("the client entry point reaches no SQLite, CLI, jobs or simulator module", () => {
    const { files, packages } = graph(resolve(src, "index.ts"))
    expect(files.length).toBeGreaterThan(5)
    expect(packages.filter((p) => /sql|sqlite|@effect\/cli|better-sqlite3/.test(p))).toEqual([])
    expect(files.filter((f) => /\/(jobs|cli|simulator)\//.test(f))).toEqual([])
    // platform-neutral: no Node built-in, no Node platform package (FileSystem/Path come from the user's layer)
    expect(packages.filter((p) => p.startsWith("node:") || p.startsWith("@effect/platform-node"))).toEqual([])
  })

  it("the jobs have their own entry point, and effect is shared with the user's program (a peer dependency)", () => {
    expect(manifest.exports["./jobs"].default).toBe("./dist/jobs/index.js")
    for (const shared of ["effect", "@effect/platform", "@effect/platform-node", "@effect/sql", "@effect/sql-sqlite-node"]) {
      expect(manifest.peerDependencies[shared], shared).toBeDefined()
      expect(manifest.dependencies?.[shared], shared).toBeUndefined()
      expect(manifest.devDependencies[shared], `${shared} as a devDependency too`).toBe(manifest.peerDependencies[shared])
    }
    const { packages } = graph(resolve(src, "jobs/index.ts"))
    expect(packages.some((p) => p.startsWith("@effect/sql"))).toBe(true)
  })

  it("import \"openrouter-effect\" (dist, plain Node) loads only effect and @effect/platform", () => {
    const loader = fileURLToPath(new URL("../bench/support/loaded-modules.mjs", import.meta.url))
    const { modules } = JSON.parse(
      execFileSync(process.execPath, [loader, fileURLToPath(new URL("../dist/index.js", import.meta.url))], {
        encoding: "utf8"
      })
    ) as { modules: Array<string> }
    const packages = [...new Set(modules.flatMap((url) => url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? []))]
    expect(modules.length).toBeGreaterThan(50)
    expect(packages.filter((p) => /^@effect\/(cluster|rpc|sql|platform-node|experimental|cli)|^ws$|sqlite|undici|msgpackr-extract/.test(p)))
      .toEqual([])
    // what is left is effect, @effect/platform and their own dependencies
    expect(packages.filter((p) => !["effect", "@effect/platform", "fast-check", "pure-rand", "msgpackr", "multipasta", "find-my-way-ts"].includes(p)))
      .toEqual([])
  })

  it("\"sideEffects\": false lets a bundler keep only the services imported", async () => {
    expect(manifest.sideEffects).toBe(false)
    const root = fileURLToPath(new URL("..", import.meta.url))
    const result = await build({
      stdin: { contents: `import { Workspaces } from "openrouter-effect"\nexport const tag = Workspaces.Workspaces`, resolveDir: root, loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      write: false,
      metafile: true,
      logLevel: "error",
      alias: { "openrouter-effect": `${root}dist/index.js` }
    })
    const ours = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs).filter((path) => path.startsWith("dist/"))
      .filter((path) => result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.inputs[path]!.bytesInOutput > 0)
    expect(ours).toContain("dist/Workspaces.js")
    expect(ours.filter((path) => /\/(Files|FileDomain|Keys|Guardrails|Organization)\.js$/.test(path))).toEqual([])
  })
})
