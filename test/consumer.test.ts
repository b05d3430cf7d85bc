/**
 * The package as a consumer gets it: `npm pack`, the tarball unpacked into a fresh project's
 * node_modules (every other package linked from ours: no network), compiled with `strict` and
 * `skipLibCheck: false` (our shipped `.d.ts` are checked too), together with every ```ts block of the
 * README (each wrapped with a small prelude). Then the README's first example runs against a simulator
 * (over HTTP, configured through the environment as the example says), and the README's testing example
 * runs under vitest in that project (the test layer, `it.effect`, `TestClock`).
 */
import { describe, expect, it } from "@effect/vitest"
import { transform } from "esbuild"
import { execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const modules = join(root, "node_modules")

/** Run a process without blocking the test's thread (vitest's worker must keep answering). */
const run = (args: ReadonlyArray<string>, options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(options.input ?? "")
  })

/** Every ```ts block of the README, with the line it starts on. */
export const readmeBlocks = () => {
  const text = readFileSync(join(root, "README.md"), "utf8")
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({
    line: text.slice(0, m.index).split("\n").length,
    code: m[1]!
  }))
}

/** What the README's fragments lean on without declaring it (the surrounding prose names them). */
const preludeImports: Record<string, string> = {
  Effect: "effect",
  Layer: "effect",
  Stream: "effect",
  Console: "effect",
  Schedule: "effect",
  Config: "effect",
  Redacted: "effect",
  Option: "effect",
  Files: "openrouter-effect",
  Guardrails: "openrouter-effect",
  Keys: "openrouter-effect",
  OpenRouterClient: "openrouter-effect",
  Organization: "openrouter-effect",
  RetryPolicy: "openrouter-effect",
  Workspaces: "openrouter-effect",
  Simulator: "openrouter-effect/simulator"
}
const preludeDeclarations = `
declare const workspaceId: string
declare const fileId: string
declare const id: string
declare const hash: string
declare const text: string
declare const creatorUserId: string
declare const memberUserIds: ReadonlyArray<string>
declare const keyHashes: ReadonlyArray<string>
declare const scimGroupId: string
declare const openaiKey: string
declare const rotated: string
declare const langfuseSecret: string
declare const apiKey: Redacted.Redacted<string>
declare const workspaces: Workspaces.Workspaces
declare const myProgram: Effect.Effect<void>
declare const events: any
// what an earlier block of the same section built
declare const spec: any
`

/** A block as a module: its imports first, the prelude's for what it does not import, the rest wrapped. */
const moduleOf = (code: string) => {
  const lines = code.split("\n")
  const imports = lines.filter((l) => l.startsWith("import "))
  const body = lines.filter((l) => !l.startsWith("import ")).join("\n")
  const imported = new Set(imports.flatMap((l) => [...l.matchAll(/\b([A-Z]\w*)\b/g)].map((m) => m[1]!)))
  const prelude = Object.entries(preludeImports)
    .filter(([name]) => !imported.has(name))
    .map(([name, from]) => `import { ${name} } from "${from}"`)
  const wrapped = /^\s*(describe|it)\(/m.test(body) || !/\byield\*|\bawait\b/.test(body)
    ? `export {}\n${body}`
    : /\bawait\b/.test(body)
    ? `export async function block() {\n${body}\n}`
    : `export const block = Effect.gen(function*() {\n${body}\n})`
  return [...imports, ...prelude, "// eslint-disable-next-line", preludeDeclarations, wrapped].join("\n")
}

/** A project whose node_modules holds the packed tarball and links to every other package we have. */
const consumerProject = () => {
  const dir = mkdtempSync(join(tmpdir(), "consumer-"))
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: root,
    encoding: "utf8"
  }).trim().split("\n").pop()!
  const nodeModules = join(dir, "node_modules")
  mkdirSync(join(nodeModules, "openrouter-effect"), { recursive: true })
  execFileSync("tar", ["-xzf", join(dir, packed), "-C", join(nodeModules, "openrouter-effect"), "--strip-components=1"])
  for (const entry of readdirSync(modules)) {
    if (entry === "openrouter-effect") continue
    symlinkSync(join(modules, entry), join(nodeModules, entry))
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }))
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        strict: true,
        skipLibCheck: false,
        noEmit: true
      },
      include: ["*.ts"]
    })
  )
  return dir
}

describe("a consumer project (npm pack, strict, skipLibCheck: false)", () => {
  it("compiles every README ```ts block and our .d.ts; runs the first example and the testing example", async () => {
    const dir = consumerProject()
    try {
      const blocks = readmeBlocks()
      expect(blocks.length).toBeGreaterThan(5)
      blocks.forEach((block, i) => writeFileSync(join(dir, `readme-${i}.ts`), moduleOf(block.code)))
      // the testing example, as it is written, is a test file of the consumer's own
      const testing = blocks.find((b) => b.code.includes("Simulator.layerClient") && b.code.includes("TestClock"))!
      writeFileSync(join(dir, "readme-testing.test.ts"), testing.code)

      const tsc = await run([join(modules, "typescript/bin/tsc"), "-p", dir])
      const errors = tsc.stdout.split("\n").filter((l) => /error TS/.test(l))
        // ours only: @effect/platform-node's own .d.ts name `ws` without shipping its types (not ours to fix)
        .filter((l) => !/node_modules\/(?!openrouter-effect\/)/.test(l.split("(")[0]!))
        .map((l) => {
          const index = Number(l.match(/^readme-(\d+)\./)?.[1])
          return Number.isNaN(index) ? l : `README.md block at line ${blocks[index]!.line}: ${l}`
        })
      expect(errors).toEqual([])

      // the first example, as written, against a simulator (configured through the environment)
      const usage = blocks[0]!
      expect(usage.code).toContain("NodeRuntime.runMain")
      writeFileSync(join(dir, "usage.mjs"), (await transform(usage.code, { loader: "ts", format: "esm" })).code)
      const sim = await run(["--input-type=module", "-e", simulatorThenRun], { cwd: dir })
      expect(sim.stderr).toBe("")
      expect(sim.status).toBe(0)
      expect(sim.stdout).toMatch(/^\d+ workspaces$/m)
      expect(sim.stdout).toMatch(/@example\.com$/m)

      // the testing example under vitest, in the consumer project
      const vitest = await run([join(modules, "vitest/vitest.mjs"), "run", "--root", dir], { cwd: dir })

      expect((vitest.stdout + vitest.stderr).replace(/\u001b\[[0-9;]*m/g, "")).toMatch(/Tests\s+2 passed/)
      expect(vitest.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 300_000)
})

/** Start a simulator from the packed package (openrouter-effect/simulator), run usage.mjs against it through the environment, stop. */
const simulatorThenRun = `
import { spawn } from "node:child_process"
const { Simulator } = await import("openrouter-effect/simulator")
const sim = await Simulator.start({ seed: "readme", organization: { members: 5 } })
const child = spawn(process.execPath, ["usage.mjs"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl }
})
const status = await new Promise((resolve) => child.on("close", resolve))
await sim.close()
process.exit(status ?? 1)
`
