/**
 * Trust at the CLI's edges, end to end against a simulator in this process: a new key's secret whole on
 * a line of its own at 60 and 80 columns; tables that never cut a hash, an id or money; the management key
 * read from a file or stdin; e-mails wherever a user id goes (an unknown e-mail is exit 2, nothing sent);
 * destructive single commands that confirm (typing the name on a terminal, --yes when piped); updates
 * with no field that send nothing; the default workspace's own guard; and no silences (retries said on a
 * terminal, schedule checking its command, the simulator's inference key, examples in every job's help,
 * --version without the bundle).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { stripVTControlCharacters } from "node:util"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { bin, collect, collectChild, jsonLines, onTerminalAnsweringIn, onTerminalIn, runIn, workDir } from "./cli-support.ts"

const dir = workDir("cli-trust-")
const run = runIn(dir)
const onTerminal = onTerminalIn(dir)
const answering = onTerminalAnsweringIn(dir)
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")
const plain = (text: string) => stripVTControlCharacters(text).split(/\r?\n/)

describe("openrouter-admin: trust at every edge", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-trust", organization: { members: 300 } })
  })
  afterAll(() => sim.close())

  it("keys create prints the secret whole, on a line of its own, at 60 and 80 columns; key tables keep hashes and money whole", async () => {
    for (const columns of [60, 80]) {
      const created = await onTerminal(
        sim,
        ["keys", "create", "--name", `wide-${columns}`, "--workspace", "engineering", "--limit", "1234567.5"],
        columns
      )
      expect(created.code).toBe(0)
      const stored = sim.service.state.apiKeys().find((k) => k.name === `wide-${columns}`)!
      const lines = plain(created.stdout)
      // the line that holds the secret holds nothing else
      const secretLine = lines.find((l) => l.startsWith("sk-or-v1-"))!
      expect(secretLine).toMatch(/^sk-or-v1-[A-Za-z0-9-]+$/)
      // whole: it is the key whose hash the server stored
      expect(createHash("sha256").update(secretLine).digest("hex")).toBe(stored.hash)
      expect(lines.some((l) => l.includes(stored.hash))).toBe(true)
      expect(created.stdout).toContain("$1234567.50")

      const listed = await onTerminal(sim, ["keys", "list", "--workspace", "engineering"], columns)
      expect(listed.code).toBe(0)
      const text = plain(listed.stdout).join("\n")
      for (const key of sim.service.state.apiKeys().filter((k) => k.workspaceId === stored.workspaceId && !k.disabled)) {
        expect(text).toContain(key.hash)
      }
      expect(text).toContain("$1234567.50")
      // within the terminal, but for an id that alone is wider (a 64-character hash at 60 columns)
      for (const line of plain(listed.stdout)) if (!/^[0-9a-f]{64}$/.test(line)) expect([...line].length).toBeLessThanOrEqual(columns)
    }
  }, 90_000)

  it("the management key from --api-key-file FILE or --api-key - (stdin), never the command line", async () => {
    const keyFile = join(dir, "management.key")
    writeFileSync(keyFile, `${sim.managementKey}\n`)
    const env = { OPENROUTER_API_KEY: undefined, OPENROUTER_BASE_URL: sim.baseUrl }
    const fromFile = await run(undefined, ["workspaces", "get", "engineering", "--api-key-file", keyFile], env)
    expect(fromFile.code).toBe(0)
    expect(JSON.parse(fromFile.stdout).slug).toBe("engineering")
    const child = spawn(process.execPath, [bin, "workspaces", "get", "research", "--api-key", "-"], {
      cwd: dir,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"]
    })
    child.stdin.end(`${sim.managementKey}\n`)
    const fromStdin = await collectChild(child)
    expect(fromStdin.code).toBe(0)
    expect(JSON.parse(fromStdin.stdout).slug).toBe("research")
    const [missing, empty] = await Promise.all([
      run(undefined, ["workspaces", "list", "--api-key-file", join(dir, "nope.key")], env),
      (writeFileSync(join(dir, "empty.key"), "\n"), run(undefined, ["workspaces", "list", "--api-key-file", join(dir, "empty.key")], env))
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("nope.key")
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("is empty")
    expect(fromFile.stderr + fromStdin.stderr + missing.stderr).not.toContain(sim.managementKey)
  }, 60_000)

  it("e-mails work wherever a user id does; an e-mail nobody has is exit 2, naming it, nothing sent", async () => {
    const state = sim.service.state
    const supportMembers = new Set(state.workspaceMembers("support").map((m) => m.userId))
    const outsider = state.members().find((m) => !supportMembers.has(m.id))!
    const added = await run(sim, ["workspaces", "members", "add", "support", outsider.email.toUpperCase()])
    expect(added.code).toBe(0)
    expect(JSON.parse(added.stdout).addedCount).toBe(1)
    expect(state.workspaceMembers("support").map((m) => m.userId)).toContain(outsider.id)

    const guardrail = JSON.parse((await run(sim, ["guardrails", "create", "--name", "by e-mail", "--workspace", "support", "--json"])).stdout)
    const assigned = await run(sim, ["guardrails", "members", "assign", guardrail.id, outsider.email])
    expect(assigned.code).toBe(0)
    expect(JSON.parse(assigned.stdout).assigned).toBe(1)
    const unassigned = await run(sim, ["guardrails", "members", "unassign", guardrail.id, outsider.email])
    expect(JSON.parse(unassigned.stdout).unassigned).toBe(1)
    const removed = await run(sim, ["workspaces", "members", "remove", "support", outsider.email])
    expect(JSON.parse(removed.stdout).removedCount).toBe(1)
    expect(state.workspaceMembers("support").map((m) => m.userId)).not.toContain(outsider.id)

    const before = (await changing(sim)).length
    const [unknownAdd, unknownAssign] = await Promise.all([
      run(sim, ["workspaces", "members", "add", "support", "nobody.here@example.com", outsider.id]),
      run(sim, ["guardrails", "members", "assign", guardrail.id, "nobody.here@example.com"])
    ])
    for (const result of [unknownAdd, unknownAssign]) {
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("nobody.here@example.com")
    }
    expect((await changing(sim)).length).toBe(before)
  }, 60_000)

  it("an update with no field sends nothing (exit 2); a piped delete needs --yes; on a terminal the name is typed", async () => {
    const key = jsonLines((await run(sim, ["keys", "list", "--workspace", "research"])).stdout)[0]
    const guardrail = JSON.parse((await run(sim, ["guardrails", "create", "--name", "Doomed", "--json"])).stdout)
    const before = (await changing(sim)).length
    const noFields = await Promise.all([
      run(sim, ["workspaces", "update", "research"]),
      run(sim, ["keys", "update", key.hash]),
      run(sim, ["guardrails", "update", guardrail.id])
    ])
    for (const result of noFields) {
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("nothing to change")
    }
    const piped = await Promise.all([
      run(sim, ["workspaces", "delete", "support"]),
      run(sim, ["keys", "delete", key.hash]),
      run(sim, ["guardrails", "delete", guardrail.id])
    ])
    for (const result of piped) {
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("--yes")
    }
    expect((await changing(sim)).length).toBe(before)

    const wrong = await answering(sim, ["guardrails", "delete", guardrail.id], 80, [{ prompt: "to confirm", answer: "doomed" }])
    expect(wrong.code).toBe(2)
    expect(wrong.stdout).toContain("not confirmed")
    expect((await changing(sim)).length).toBe(before)
    const right = await answering(sim, ["guardrails", "delete", guardrail.id], 80, [{ prompt: "to confirm", answer: "Doomed" }])
    expect(right.code).toBe(0)
    expect((await run(sim, ["guardrails", "get", guardrail.id])).code).toBe(1)
  }, 90_000)

  it(
    "deleting the default workspace needs --confirm-default-workspace-deletion and says what it destroys; the 403 never blames the key",
    async () => {
      const before = (await changing(sim)).length
      const refused = await run(sim, ["workspaces", "delete", "default", "--yes"])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("--confirm-default-workspace-deletion")
      expect(refused.stderr).toContain("unscoped inference keys")
      expect(refused.stderr).not.toContain("inference key is not enough")
      expect((await changing(sim)).length).toBe(before)
      const deleted = await run(sim, ["workspaces", "delete", "default", "--yes", "--confirm-default-workspace-deletion"])
      expect(deleted.code).toBe(0)
      expect(sim.service.state.workspaces().some((w) => w.slug === "default")).toBe(false)
    },
    60_000
  )

  it("schedule checks its command before its first run: exit 2 for an unknown command or flag", async () => {
    const [unknown, badFlag] = await Promise.all([
      run(sim, ["schedule", "--cron", "* * * * * *", "--", "nosuchcommand"]),
      run(sim, ["schedule", "--cron", "* * * * * *", "--", "workspaces", "list", "--no-such-flag"])
    ])
    for (const result of [unknown, badFlag]) {
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("nothing was scheduled")
      expect(result.stdout).not.toContain("run 1 started")
    }
    expect(unknown.stderr).toContain(`unknown command "nosuchcommand"`)
  }, 60_000)

  it("a retry on a terminal says it is retrying and when; piped, the error alone", async () => {
    const refused = { OPENROUTER_BASE_URL: "http://127.0.0.1:9/api/v1", OPENROUTER_API_KEY: "sk-or-v1-whatever" }
    const [terminal, piped] = await Promise.all([
      onTerminal(undefined, ["workspaces", "get", "engineering"], 80, refused),
      run(undefined, ["workspaces", "get", "engineering"], refused)
    ])
    expect(terminal.code).toBe(1)
    expect(terminal.stdout).toMatch(/retrying GET \/workspaces\/engineering in \d+(ms|s) \(at \d\d:\d\d:\d\d UTC\): connection failed/)
    expect(piped.code).toBe(1)
    expect(piped.stderr).not.toContain("retrying")
    expect(piped.stderr).toContain("connection failed")
  }, 60_000)

  it("the simulator prints its inference key too; --version answers without the bundle; every job command's help has examples", async () => {
    const simulator = spawn(process.execPath, [bin, "simulator", "--port", "0", "--members", "10", "--files", "1"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let printed = ""
    simulator.stdout.on("data", (d) => (printed += d))
    for (let i = 0; i < 500 && !printed.includes("inference key"); i++) await new Promise((r) => setTimeout(r, 20))
    simulator.kill("SIGTERM")
    expect(printed).toMatch(/export OPENROUTER_API_KEY=sk-or-v1-\S+/)
    expect(printed).toMatch(/inference key.*: sk-or-v1-\S+/)

    // a copy of the bin with no bundle beside it still answers --version: it loads nothing to do so
    const bare = join(dir, "bare")
    mkdirSync(join(bare, "bin"), { recursive: true })
    copyFileSync(bin, join(bare, "bin", "openrouter-admin.mjs"))
    writeFileSync(join(bare, "package.json"), JSON.stringify({ version: "9.8.7" }))
    const version = await collect(process.execPath, [join(bare, "bin", "openrouter-admin.mjs"), "--version"], { cwd: dir, env: {} })
    expect(version.code).toBe(0)
    expect(version.stdout).toBe("9.8.7\n")

    const jobs = [["onboard"], ["offboard"], ["files", "cleanup"], ["keys", "audit"], ["keys", "disable"], ["budgets", "apply"], ["apply"], [
      "schedule"
    ]]
    const helps = await Promise.all(jobs.map((path) => run(undefined, [...path, "--help"])))
    for (const [i, help] of helps.entries()) {
      expect(help.code).toBe(0)
      expect(help.stdout, jobs[i]!.join(" ")).toMatch(/EXAMPLES\n(.*\n)*\s+\$ openrouter-admin /)
    }
    const top = await run(undefined, ["--help"], { COLUMNS: "80" })
    expect(top.stdout.replace(/\s+/g, " ")).toContain("-h, --help this help; after a command (`workspaces list --help`), that command's help")
  }, 60_000)
})
