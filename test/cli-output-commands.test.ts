/**
 * The built CLI as people meet it, against a simulator in this process: help piped and on a terminal
 * (pseudo-TTY through `script`), "did you mean", tables on a 60-column terminal, `-q`, `--limit`,
 * `--json`, `--verbose`, and `files download` to stdout (byte for byte) and over an existing file.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { stripVTControlCharacters } from "node:util"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { onTerminalIn, runIn, workDir } from "./cli-support.ts"

const dir = workDir("cli-output-")
const run = runIn(dir)
const onTerminal = onTerminalIn(dir)

const ESC = "\x1b"
const columnsOf = (line: string) => [...stripVTControlCharacters(line)].length

describe("openrouter-admin output", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-output", organization: { members: 3000 }, files: { count: 50 } })
  })
  afterAll(() => sim.close())

  it("help is plain text when piped, wrapped to $COLUMNS, with defaults and examples, for every command", async () => {
    const helps = await Promise.all(
      [["--help"], ["workspaces", "--help"], ["files", "download", "--help"], ["onboard", "--help"], ["simulator", "--help"], [
        "workspaces",
        "budgets",
        "set",
        "-h"
      ]]
        .map((args) => run(undefined, args, { COLUMNS: "60" }))
    )
    for (const help of helps) {
      expect(help.code).toBe(0)
      expect(help.stdout).not.toContain(ESC)
      for (const line of help.stdout.split("\n")) expect(columnsOf(line)).toBeLessThanOrEqual(60)
    }
    const [root, workspaces, download, onboard, simulator, budgetSet] = helps.map((h) => h.stdout)
    expect(root).toMatch(/COMMANDS\n\s+workspaces\s/)
    expect(workspaces).toMatch(/\n\s+list\s+list every workspace/)
    expect(workspaces).not.toContain("workspaces workspaces")
    expect(download).toContain("EXAMPLES")
    expect(download).toContain("$ openrouter-admin files download")
    expect(download).toMatch(/USAGE\n\s+openrouter-admin files download <file-id>\s+--output PATH\s+\[flags\]/)
    expect(onboard).toMatch(/--concurrency N[\s\S]*default 4/)
    expect(onboard).toMatch(/--rate NUM[\s\S]*default 10/)
    expect(simulator).toMatch(/--port N[\s\S]*default 4010/)
    // an optional flag is never shown as required
    expect(budgetSet).toMatch(/--limit-usd NUM\s+the limit in US dollars\s+\(required\)/)
    expect(budgetSet).not.toMatch(/--json[^\n]*required/)
  }, 60_000)

  it("the top-level help (which loads no command) summarises each command as its own help does", async () => {
    const root = await run(undefined, ["--help"], { COLUMNS: "200" })
    const listed = root.stdout.split("COMMANDS\n")[1]!.split("\n\n")[0]!.split("\n").map((line) => {
      const [, name, summary] = /^\s+(\S+)\s+(.*)$/.exec(line)!
      return [name!, summary!] as const
    })
    expect(listed.map(([name]) => name)).toEqual(expect.arrayContaining(["workspaces", "files", "org", "onboard", "offboard", "jobs"]))
    const own = await Promise.all(listed.map(([name]) => run(undefined, [name, "--help"], { COLUMNS: "200" })))
    for (const [i, [name, summary]] of listed.entries()) {
      const description = own[i]!.stdout.split("\n\n")[0]!.replace(/\s+/g, " ")
      expect(`${name}: ${description}`).toContain(`${name}: ${summary}`)
    }
  }, 60_000)

  it("on a terminal help is bold, unless NO_COLOR or TERM=dumb; it wraps to the terminal's width", async () => {
    const [color, noColor, dumb] = await Promise.all([
      onTerminal(undefined, ["files", "--help"], 60),
      onTerminal(undefined, ["files", "--help"], 60, { NO_COLOR: "1" }),
      onTerminal(undefined, ["files", "--help"], 60, { TERM: "dumb" })
    ])
    expect(color.stdout).toContain(`${ESC}[1mCOMMANDS`)
    expect(noColor.stdout).not.toContain(ESC)
    expect(dumb.stdout).not.toContain(ESC)
    for (const line of color.lines) expect(columnsOf(line)).toBeLessThanOrEqual(60)
  }, 60_000)

  it("a mistyped subcommand gets a suggestion from its own group, exit code 2", async () => {
    const [ls, lsit, top] = await Promise.all([
      run(undefined, ["workspaces", "ls"]),
      run(undefined, ["workspaces", "budgets", "lsit"]),
      run(undefined, ["onbaord"])
    ])
    expect(ls.code).toBe(2)
    expect(ls.stderr).toContain(`Did you mean "list"?`)
    expect(ls.stderr).toContain("list, get, create, update, delete, budgets, members")
    expect(ls.stderr).not.toContain("onboard")
    expect(lsit.code).toBe(2)
    expect(lsit.stderr).toContain(`Did you mean "list"?`)
    expect(lsit.stderr).toContain("list, get, set, delete")
    expect(top.code).toBe(2)
    expect(top.stderr).toContain(`did you mean "onboard"?`)
  }, 60_000)

  it("tables on a 60-column terminal: one header, no line over 60 columns, every member", async () => {
    const shown = await onTerminal(sim, ["org", "members"], 60)
    expect(shown.code).toBe(0)
    // a column that cannot fit without two e-mails reading the same is left out, and that is said
    expect(shown.lines.filter((l) => l.startsWith("("))).toEqual([expect.stringContaining("left out to fit 60 columns")])
    const table = { ...shown, lines: shown.lines.filter((l) => !l.startsWith("(")) }
    expect(table.lines.filter((l) => l.startsWith("ID "))).toHaveLength(1)
    expect(table.lines).toHaveLength(3001)
    for (const line of table.lines) expect(columnsOf(line)).toBeLessThanOrEqual(60)
    const members = await onTerminal(sim, ["workspaces", "members", "list", "engineering"], 120)
    const engineering = sim.service.state.workspaceMembers("engineering")
    expect(members.lines).toHaveLength(engineering.length + 1)
    expect(members.lines[0]).toMatch(/^USER\s+E-MAIL\s+ROLE/)
    const email = new Map(sim.service.state.members().map((m) => [m.id, m.email]))
    expect(members.lines.slice(1).every((l) => l.includes(email.get(l.split(" ")[0]!)!))).toBe(true)
    // ids are never cut: other columns give way
    const ids = new Set(sim.service.state.members().map((m) => m.id))
    expect(table.lines.slice(1).every((l) => ids.has(l.split(" ")[0]!))).toBe(true)
  }, 60_000)

  it("-q prints ids, --limit stops early, --json is one document, --verbose traces each attempt", async () => {
    const [quiet, limited, json, verbose, badLimit] = await Promise.all([
      run(sim, ["workspaces", "list", "-q"]),
      run(sim, ["org", "members", "--limit", "5"]),
      run(sim, ["files", "list", "--json", "--limit", "3"]),
      run(sim, ["workspaces", "get", "research", "--verbose"]),
      run(sim, ["org", "members", "--limit", "0"])
    ])
    expect(quiet.stdout.trim().split("\n").sort()).toEqual(sim.service.state.workspaces().map((w) => w.id).sort())
    expect(limited.stdout.trim().split("\n")).toHaveLength(5)
    const files = JSON.parse(json.stdout)
    expect(Array.isArray(files) && files.length).toBe(3)
    expect(verbose.stderr).toMatch(/http\[1\] Workspaces\.get sent\nhttp\[1\] Workspaces\.get: 200 in \d+ms\n/)
    expect(JSON.parse(verbose.stdout).slug).toBe("research")
    expect(badLimit.code).toBe(2)
    expect(badLimit.stderr).toContain("--limit 0")
  }, 60_000)

  it("--verbose shows a retried attempt: the 503 (retryable), then the next attempt answered 200", async () => {
    await Effect.runPromise(sim.service.inject({ path: "/workspaces/support", status: 503, times: 1, retryAfter: "10 millis" }))
    const traced = await run(sim, ["workspaces", "get", "support", "--verbose"])
    expect(traced.code).toBe(0)
    expect(traced.stderr).toMatch(
      /http\[1\] Workspaces\.get sent\nhttp\[1\] Workspaces\.get: 503 in \d+ms \(retryable, Retry-After 10ms\)\nhttp\[2\] Workspaces\.get sent\nhttp\[2\] Workspaces\.get: 200 in \d+ms\n/
    )
  }, 60_000)

  it("files download: -o - streams the exact bytes to stdout; an existing file needs --force; a missing directory is named", async () => {
    const file = sim.service.state.workspaces().length > 0
      ? JSON.parse((await run(sim, ["files", "list", "--json", "--limit", "1"])).stdout)[0]
      : undefined
    const response = await fetch(`${sim.baseUrl}/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${sim.managementKey}` }
    })
    const expected = Buffer.from(await response.arrayBuffer())
    expect(expected.length).toBe(file.sizeBytes)

    const streamed = await run(sim, ["files", "download", file.id, "-o", "-"])
    expect(streamed.code).toBe(0)
    expect(streamed.bytes.equals(expected)).toBe(true)
    expect(existsSync(join(dir, "-"))).toBe(false)

    const target = join(dir, "existing.bin")
    writeFileSync(target, "keep me")
    const refused = await run(sim, ["files", "download", file.id, "-o", target])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--force")
    expect(readFileSync(target, "utf8")).toBe("keep me")
    const forced = await run(sim, ["files", "download", file.id, "-o", target, "--force"])
    expect(forced.code).toBe(0)
    expect(readFileSync(target).equals(expected)).toBe(true)

    const missing = await run(sim, ["files", "download", file.id, "-o", join(dir, "no-such-dir", "x.bin")])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("no-such-dir does not exist")
    expect(missing.stderr).not.toContain(".part")
    expect(readdirSync(dir).filter((f) => f.endsWith(".part"))).toEqual([])
  }, 60_000)
})
