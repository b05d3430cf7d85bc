/**
 * The client entry point (`openrouter-effect`) loads no SQLite, no CLI and no simulator: a program that
 * only uses the services installs and loads no native module. Walks the static imports from
 * `src/index.ts`, as a bundler or Node would.
 */
import { describe, expect, it } from "@effect/vitest"
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
})
