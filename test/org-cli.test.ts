/**
 * `openrouter-admin org export | plan | apply | schema` (the built CLI, piped, against a simulator):
 * export then plan matches (exit 0), drift exits 3 with --detailed-exitcode, a bad file exits 2 with its
 * line, apply asks for --yes without a terminal, converges, and a saved plan applies; `org members` still works.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { Journal } from "../src/jobs/index.ts"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { runIn, workDir } from "./cli-support.ts"

const dir = workDir("org-cli-")
const run = runIn(dir)
let sim: RunningSimulator

describe("openrouter-admin org", () => {
  beforeAll(async () => {
    sim = await start({ seed: "org-cli", organization: { members: 120, workspaces: 4 } })
  })
  afterAll(() => sim.close())

  it("export writes a file that plan finds matching (exit 0, also with --detailed-exitcode); --workspace selects", async () => {
    const exported = await run(sim, ["org", "export", "-o", "org.yaml"])
    expect(exported.code, exported.stderr).toBe(0)
    const text = readFileSync(join(dir, "org.yaml"), "utf8")
    expect(text).toContain("version: 1")
    const stdout = await run(sim, ["org", "export"])
    expect(stdout.stdout.trimEnd()).toBe(text.trimEnd())
    const plan = await run(sim, ["org", "plan", "-f", "org.yaml", "--detailed-exitcode", "--json"])
    expect(plan.code, plan.stderr).toBe(0)
    expect(JSON.parse(plan.stdout)).toEqual({ actions: [], notes: [], totals: { add: 0, change: 0, remove: 0 } })
    const some = await run(sim, ["org", "export", "--workspace", "eng*"])
    expect(some.stdout).toContain("engineering:")
    expect(some.stdout).not.toContain("research:")
  })

  it("plan: more removals than the limit exits 2 naming the flag that allows them", async () => {
    const members = sim.service.state.workspaceMembers("engineering").map((m) => m.userId)
    writeFileSync(
      join(dir, "prune.yaml"),
      `version: 1\nworkspaces:\n  engineering:\n    members: [${members[0]}]\nprune: { members: true }\n`
    )
    const refused = await run(sim, ["org", "plan", "-f", "prune.yaml"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`allow it with --max-removals ${members.length - 1} (a count)`)
    expect(refused.stderr).not.toContain("maxRemovals")
  })

  it("plan: drift exits 3 with --detailed-exitcode (0 without); a bad file exits 2 naming its line; nothing is changed", async () => {
    const email = sim.service.state.members()[5]!.email
    writeFileSync(
      join(dir, "drift.yaml"),
      `version: 1\nworkspaces:\n  engineering:\n    description: Drifted\n  new-hires:\n    members: [${email}]\n`
    )
    const before = (await sim.requests()).filter((r) => r.method !== "GET").length
    const drift = await run(sim, ["org", "plan", "-f", "drift.yaml", "--detailed-exitcode", "--json"])
    expect(drift.code, drift.stderr).toBe(3)
    const actions = JSON.parse(drift.stdout).actions.map((a: { _tag: string }) => a._tag)
    expect(actions).toEqual(["UpdateWorkspace", "CreateWorkspace", "AddMembers"])
    expect((await run(sim, ["org", "plan", "-f", "drift.yaml", "--json"])).code).toBe(0)
    writeFileSync(join(dir, "bad.yaml"), "version: 1\nworkspaces:\n  engineering:\n    memebers: []\n")
    const bad = await run(sim, ["org", "plan", "-f", "bad.yaml"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("bad.yaml:4:5: workspaces.engineering.memebers: is unexpected")
    const missing = await run(sim, ["org", "plan", "-f", "nope.yaml"])
    expect(missing.code).toBe(2)
    expect((await sim.requests()).filter((r) => r.method !== "GET").length).toBe(before)
  })

  it("apply: --yes required without a terminal; applies, then a second apply changes nothing", async () => {
    const email = sim.service.state.members()[6]!.email
    writeFileSync(
      join(dir, "apply.yaml"),
      `version: 1\nworkspaces:\n  team-x:\n    name: Team X\n    budgets: { daily: 5, monthly: 50 }\n    members: [${email}]\n`
    )
    const refused = await run(sim, ["org", "apply", "-f", "apply.yaml"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("pass --yes")
    expect(sim.service.state.workspaces().some((w) => w.slug === "team-x")).toBe(false)
    const applied = await run(sim, ["org", "apply", "-f", "apply.yaml", "--yes", "--journal", join(dir, "j.sqlite")])
    expect(applied.code, applied.stderr).toBe(0)
    expect(sim.service.state.workspaceMembers("team-x").map((m) => m.userId)).toEqual([sim.service.state.members()[6]!.id])
    const before = (await sim.requests()).filter((r) => r.method !== "GET").length
    const again = await run(sim, ["org", "apply", "-f", "apply.yaml", "--yes", "--journal", join(dir, "j.sqlite")])
    expect(again.code, again.stderr).toBe(0)
    expect((await sim.requests()).filter((r) => r.method !== "GET").length).toBe(before)
  })

  it("apply --dry-run prints the plan and changes nothing, without --yes; a job another runner holds is refused before planning", async () => {
    writeFileSync(join(dir, "dry.yaml"), "version: 1\nworkspaces:\n  research:\n    description: Dry run\n")
    const before = (await sim.requests()).filter((r) => r.method !== "GET").length
    const dry = await run(sim, ["org", "apply", "-f", "dry.yaml", "--dry-run"])
    expect(dry.code, dry.stderr).toBe(0)
    // piped: the plan as org plan --json prints it
    expect(JSON.parse(dry.stdout).actions.map((a: { _tag: string }) => a._tag)).toEqual(["UpdateWorkspace"])
    expect(JSON.parse(dry.stdout).totals).toEqual({ add: 0, change: 1, remove: 0 })
    // this test process holds the job's lease (a live process of this host)
    const journalPath = join(dir, "held.sqlite")
    await Effect.runPromise(
      Effect.flatMap(
        Journal.Journal,
        (journal) => journal.acquire({ jobId: "org-held", kind: "org", spec: {}, owner: { host: hostname(), pid: process.pid }, ttl: "5 minutes" })
      ).pipe(
        Effect.provide(Journal.layer(journalPath))
      )
    )
    const reads = (await sim.requests()).length
    const held = await run(sim, ["org", "apply", "-f", "dry.yaml", "--yes", "--job-id", "org-held", "--journal", journalPath])
    expect(held.code).toBe(2)
    expect(held.stderr).toContain(`pid ${process.pid} on ${hostname()}`)
    expect(held.stderr).toContain("--wait")
    // refused before planning: only the key check was read (GET /key), nothing changed
    const since = (await sim.requests()).slice(reads)
    expect(since.filter((r) => r.path !== "/api/v1/key" && !r.path.endsWith("/key"))).toEqual([])
    expect((await sim.requests()).filter((r) => r.method !== "GET").length).toBe(before)
    expect(sim.service.state.workspaces().find((w) => w.slug === "research")!.description).not.toBe("Dry run")
  })

  it("plan --out saves a plan that apply PLAN runs after checking it against the server", async () => {
    writeFileSync(join(dir, "saved.yaml"), "version: 1\nworkspaces:\n  research:\n    description: Saved plan\n")
    const planned = await run(sim, ["org", "plan", "-f", "saved.yaml", "--out", "plan.json"])
    expect(planned.code, planned.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).format).toBe("openrouter-effect/plan")
    const applied = await run(sim, ["org", "apply", "plan.json", "--yes", "--journal", join(dir, "j.sqlite")])
    expect(applied.code, applied.stderr).toBe(0)
    expect(sim.service.state.workspaces().find((w) => w.slug === "research")!.description).toBe("Saved plan")
    const both = await run(sim, ["org", "apply", "plan.json", "-f", "saved.yaml", "--yes"])
    expect(both.code).toBe(2)
  })

  it("schema prints the JSON Schema; org members still lists the members", async () => {
    const schema = await run(undefined, ["org", "schema"])
    expect(schema.code).toBe(0)
    expect(JSON.parse(schema.stdout).$defs.WorkspaceSpec.properties.members).toBeDefined()
    const members = await run(sim, ["org", "members", "--limit", "3", "--json"])
    expect(members.code, members.stderr).toBe(0)
    expect(JSON.parse(members.stdout)).toHaveLength(3)
  })
})
