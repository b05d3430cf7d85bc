/**
 * Access jobs end to end: the built CLI as a child process against a simulator in this process.
 * `auth status` with the management and the inference key; every job refused with the inference key
 * (exit 2, nothing but `GET /key` sent); an offboarding killed mid-job (SIGKILL) resumed with its
 * `--job-id` ends with the leavers holding no active key, no direct guardrail and no membership, and a
 * re-run changes nothing; `keys audit` changes nothing and `keys disable` does what it showed.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { bin, jsonLines, runIn, simulatorEnv, workDir } from "./cli-support.ts"

const dir = workDir("cli-jobs-access-")
const run = runIn(dir)
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Direct guardrail assignments in the given workspaces, as `userId` → guardrail ids (read over HTTP). */
const assignmentsIn = async (sim: RunningSimulator, workspaceIds: ReadonlyArray<string>) => {
  const get = async (path: string) =>
    (await fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${sim.managementKey}` } })).json() as Promise<any>
  const byUser = new Map<string, Array<string>>()
  for (const workspaceId of workspaceIds) {
    for (const guardrail of (await get(`/guardrails?workspace_id=${workspaceId}&limit=100`)).data) {
      for (let offset = 0;; offset += 100) {
        const page = (await get(`/guardrails/${guardrail.id}/assignments/members?limit=100&offset=${offset}`)).data
        for (const a of page) byUser.set(a.user_id, [...(byUser.get(a.user_id) ?? []), guardrail.id])
        if (page.length < 100) break
      }
    }
  }
  return byUser
}

describe("openrouter-admin access jobs", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-jobs-access", organization: { members: 300 } })
  })
  afterAll(() => sim.close())

  it("auth status: the management key is one (exit 0), the inference key is not (exit 2, what to do); never the key", async () => {
    const management = await run(sim, ["auth", "status", "--json"])
    expect(management.code).toBe(0)
    expect(JSON.parse(management.stdout)).toMatchObject({ target: sim.baseUrl, production: false, isManagementKey: true, label: expect.any(String) })
    const inference = await run(sim, ["auth", "status", "--json"], { OPENROUTER_API_KEY: sim.inferenceKey })
    expect(inference.code).toBe(2)
    expect(JSON.parse(inference.stdout)).toMatchObject({ isManagementKey: false, limit: 100, usage: 25.5 })
    expect(inference.stderr).toContain("is not a management key")
    expect(inference.stderr).toContain("OPENROUTER_API_KEY")
    const refused = await run(sim, ["auth", "status"], { OPENROUTER_API_KEY: "sk-or-v1-nonsense" })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("refused the configured key")
    for (const result of [management, inference, refused]) {
      for (const secret of [sim.managementKey, sim.inferenceKey, "sk-or-v1-nonsense"]) {
        expect(result.stdout + result.stderr).not.toContain(secret)
      }
    }
  }, 60_000)

  it("every job is refused with the inference key before planning: exit 2, a message, only GET /key sent", async () => {
    const user = sim.service.state.members()[5]!.id
    const plan = join(dir, "refused-plan.json")
    expect((await run(sim, ["keys", "audit", "--all", "--expired", "--out", plan])).code).toBe(0)
    const before = (await sim.requests()).length
    const inference = { OPENROUTER_API_KEY: sim.inferenceKey }
    const commands = [
      ["offboard", "--user", user, "--workspace", "engineering", "--yes"],
      ["onboard", "--user", user, "--workspace", "engineering", "--dry-run"],
      ["keys", "disable", "--all", "--expired", "--yes"],
      ["keys", "audit", "--all", "--orphaned"],
      ["files", "cleanup", "--older-than", "30d", "--yes"],
      ["budgets", "apply", "--monthly", "10", "--all", "--yes"],
      ["apply", plan, "--yes"]
    ]
    for (const args of commands) {
      const result = await run(sim, args, inference)
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toContain("is not a management key")
    }
    const sent = (await sim.requests()).slice(before)
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(commands.map(() => "GET /key"))
    // plans and refusals leave no journal behind
    expect(existsSync(join(dir, ".openrouter-effect"))).toBe(false)
  }, 90_000)

  it("an offboarding killed mid-job (SIGKILL) resumes with --job-id; the leavers keep no access there; a re-run changes nothing", async () => {
    const slow = await start({ seed: "cli-offboard-kill", organization: { members: 400 }, latency: "10 millis" })
    try {
      const state = slow.service.state
      const selected = ["engineering", "research"]
      const ids = selected.map((slug) => state.workspaces().find((w) => w.slug === slug)!.id)
      const scim = new Set(state.scimManaged())
      const leavers = [...new Set(selected.flatMap((slug) => state.workspaceMembers(slug).map((m) => m.userId)))].filter((id) => !scim.has(id))
      const leaving = new Set(leavers)
      const activeKeys = () => state.apiKeys().filter((k) => k.active && leaving.has(k.userId) && ids.includes(k.workspaceId))
      const othersBefore = state.apiKeys().filter((k) => !(leaving.has(k.userId) && ids.includes(k.workspaceId))).map((k) =>
        `${k.hash}:${k.disabled}`
      )
      expect(activeKeys().length).toBeGreaterThan(60)
      const assignedBefore = await assignmentsIn(slow, ids)
      expect(leavers.some((id) => assignedBefore.has(id))).toBe(true)

      const users = join(dir, "leavers.txt")
      writeFileSync(users, leavers.join("\n"))
      const journal = join(dir, "kill.sqlite")
      const args = [
        "offboard",
        "--users-file",
        users,
        "--workspace",
        "engineering",
        "--workspace",
        "research",
        "--concurrency",
        "1",
        "--rate",
        "40",
        "--job-id",
        "kill-1",
        "--journal",
        journal,
        "--yes"
      ]
      const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...simulatorEnv(slow) }, stdio: "ignore" })
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      for (let i = 0; i < 1000; i++) {
        if ((await slow.requests()).filter((r) => r.method === "PATCH" && r.status === 200).length >= 20) break
        await sleep(20)
      }
      child.kill("SIGKILL")
      await exited
      // killed part-way: some keys are off, some still on
      const left = activeKeys().length
      expect(left).toBeGreaterThan(0)

      const report = join(dir, "kill-1.json")
      const resumed = await run(slow, ["offboard", "--job-id", "kill-1", "--journal", journal, "--yes", "--report", report])
      expect(resumed.stderr).not.toContain("error")
      expect(resumed.code).toBe(0)
      expect(activeKeys()).toEqual([])
      for (const slug of selected) expect(state.workspaceMembers(slug).filter((m) => leaving.has(m.userId))).toEqual([])
      const assignedAfter = await assignmentsIn(slow, ids)
      expect(leavers.filter((id) => assignedAfter.has(id))).toEqual([])
      // nothing else touched: keys of other users or other workspaces are as they were
      expect(state.apiKeys().filter((k) => !(leaving.has(k.userId) && ids.includes(k.workspaceId))).map((k) => `${k.hash}:${k.disabled}`))
        .toEqual(othersBefore)
      const items = JSON.parse(readFileSync(report, "utf8")).items as Array<{ key: string; action: string; outcome: string }>
      expect(items.filter((i) => i.outcome === "failed")).toEqual([])
      expect(items.some((i) => i.action.startsWith("disable key") && i.outcome === "done")).toBe(true)

      const changesBefore = (await changing(slow)).length
      const again = await run(slow, [
        "offboard",
        "--users-file",
        users,
        "--workspace",
        "engineering",
        "--workspace",
        "research",
        "--journal",
        journal,
        "--yes"
      ])
      expect(again.code).toBe(0)
      expect(await changing(slow)).toHaveLength(changesBefore)
    } finally {
      await slow.close()
    }
  }, 120_000)

  it("offboard --dry-run shows each key by name, label and workspace; --delete-keys deletes them", async () => {
    const state = sim.service.state
    const sales = state.workspaces().find((w) => w.slug === "sales")!
    const scim = new Set(state.scimManaged())
    const holder = state.apiKeys().find((k) =>
      k.active && k.workspaceId === sales.id && !scim.has(k.userId) &&
      state.workspaceMembers("sales").some((m) => m.userId === k.userId)
    )!
    const theirs = state.apiKeys().filter((k) => k.active && k.workspaceId === sales.id && k.userId === holder.userId)
    const shown = await run(sim, [
      "offboard",
      "--user",
      holder.userId,
      "--workspace",
      "sales",
      "--dry-run",
      "--delete-keys",
      "--journal",
      join(dir, "d.sqlite")
    ], { FORCE_TEXT: "1" })
    expect(shown.code).toBe(0)
    const plan = JSON.parse(shown.stdout).plan
    expect(plan.spec.keys).toBe("delete")
    expect(plan.workspaces[0].keys.map((k: any) => k.label).sort()).toEqual(theirs.map((k) => k.label).sort())
    const applied = await run(sim, [
      "offboard",
      "--user",
      holder.userId,
      "--workspace",
      "sales",
      "--delete-keys",
      "--yes",
      "--journal",
      join(dir, "d.sqlite")
    ])
    expect(applied.code).toBe(0)
    const hashes = new Set(state.apiKeys().map((k) => k.hash))
    for (const k of theirs) expect(hashes.has(k.hash)).toBe(false)
    expect(state.workspaceMembers("sales").some((m) => m.userId === holder.userId)).toBe(false)
  }, 60_000)

  it("keys audit changes nothing; keys disable disables exactly what it showed; again, nothing to do", async () => {
    const selection = ["--workspace", "marketing", "--workspace", "sup*", "--expired", "--over-limit", "0.9"]
    const j = ["--journal", join(dir, "keys.sqlite")]
    const before = (await changing(sim)).length
    const audit = await run(sim, ["keys", "audit", ...selection])
    expect(audit.code).toBe(0)
    expect(await changing(sim)).toHaveLength(before)
    const planned = JSON.parse(audit.stdout).plan.keys as Array<{ hash: string; reasons: Array<string> }>
    expect(planned.length).toBeGreaterThan(0)
    expect(planned.every((k) => k.reasons.length > 0)).toBe(true)

    const noTerminal = await run(sim, ["keys", "disable", ...selection, ...j])
    expect(noTerminal.code).toBe(2)
    expect(noTerminal.stderr).toContain("--yes")

    const applied = await run(sim, ["keys", "disable", ...selection, "--yes", ...j, "--report", "-"])
    expect(applied.code).toBe(0)
    const report = jsonLines(applied.stdout)[0]
    expect(report.items.map((i: any) => i.key).sort()).toEqual(planned.map((k) => k.hash).sort())
    const disabled = new Set(sim.service.state.apiKeys().filter((k) => k.disabled).map((k) => k.hash))
    for (const k of planned) expect(disabled.has(k.hash)).toBe(true)

    const changes = (await changing(sim)).length
    const again = await run(sim, ["keys", "disable", ...selection, "--yes", ...j])
    expect(again.code).toBe(0)
    expect(await changing(sim)).toHaveLength(changes)
  }, 60_000)
})
