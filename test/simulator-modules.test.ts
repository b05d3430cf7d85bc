/**
 * The simulator's modules import one way: no module imports, even for a type, one that imports it back
 * (the state modules sit below the routes, the shared pieces below the state; `state.ts` builds the key
 * and guardrail states, which read the organisation through `access.ts`, never through `state.ts`).
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, normalize } from "node:path"
import ts from "typescript"

const root = "src/simulator"

/** Each module of the simulator and the simulator modules it imports (value or type). */
const graph = () => {
  const files = readdirSync(root).filter((file) => file.endsWith(".ts")).map((file) => join(root, file))
  return new Map(files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true)
    const local = importedFiles.map((i) => i.fileName).filter((name) => name.startsWith("./"))
    return [file, local.map((name) => normalize(join(dirname(file), name)))]
  }))
}

/** Every cycle found by a depth-first walk, as `a -> b -> a`. */
const cycles = (imports: ReadonlyMap<string, ReadonlyArray<string>>) => {
  const found: Array<string> = []
  const done = new Set<string>()
  const path: Array<string> = []
  const visit = (file: string) => {
    path.push(file)
    for (const next of imports.get(file) ?? []) {
      if (path.includes(next)) found.push([...path.slice(path.indexOf(next)), next].join(" -> "))
      else if (!done.has(next)) visit(next)
    }
    path.pop()
    done.add(file)
  }
  for (const file of imports.keys()) if (!done.has(file)) visit(file)
  return found
}

describe("the simulator's modules", () => {
  it("import no cycle, not even through types", () => {
    const imports = graph()
    expect(imports.get(join(root, "state.ts"))).toContain(join(root, "keys-state.ts"))
    expect(cycles(imports)).toEqual([])
  })

  it("finds a cycle when there is one", () => {
    expect(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a -> b -> c -> a"])
  })
})
