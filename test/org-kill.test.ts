/**
 * `Org.apply` killed with SIGKILL at several points and resumed with the same job id reaches the
 * file's state, and no change is sent twice: the successful changing requests of all the runs
 * together are exactly those of one uninterrupted apply.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Layer } from "effect"
import { Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Guardrails } from "../src/Guardrails.ts"
import * as OrgPlan from "../src/jobs/OrgPlan.ts"
import * as OrgSpec from "../src/jobs/OrgSpec.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"

const child = fileURLToPath(new URL("./fixtures/org-apply-child.mjs", import.meta.url))

const run = (sim: RunningSimulator, env: Record<string, string>, killAfterChanges?: number) =>
  new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [child], {
      env: { ...process.env, BASE_URL: sim.baseUrl, API_KEY: sim.managementKey, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    proc.stdout.on("data", (d) => (stdout += d))
    proc.stderr.on("data", (d) => (stderr += d))
    let timer: NodeJS.Timeout | undefined
    if (killAfterChanges !== undefined) {
      const baseline = sim.requests().then((r) => r.filter((x) => x.method !== "GET").length)
      timer = setInterval(async () => {
        const changes = (await sim.requests()).filter((x) => x.method !== "GET").length - (await baseline)
        if (changes >= killAfterChanges) proc.kill("SIGKILL")
      }, 2)
    }
    proc.on("exit", (code, signal) => {
      if (timer) clearInterval(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })

const fileOf = (emails: ReadonlyArray<string>) => {
  const workspaces: Record<string, unknown> = {}
  for (let w = 0; w < 4; w++) {
    const members = emails.slice(w * 250, (w + 1) * 250)
    workspaces[`team-${w + 1}`] = {
      name: `Team ${w + 1}`,
      budgets: { daily: 5 + w, weekly: 50, monthly: 200, lifetime: 5000 },
      members,
      guardrails: { standard: { limitUsd: 100, members: members.slice(0, 150) } }
    }
  }
  return JSON.stringify({ version: 1, workspaces }, null, 2)
}

const changes = (sim: RunningSimulator) =>
  sim.requests().then((r) => r.filter((x) => x.method !== "GET" && x.status >= 200 && x.status < 300).map((x) => `${x.method} ${x.path}`))

describe("org apply killed with SIGKILL", () => {
  it.live("resumes at random points to the file's state, with nothing sent twice", () =>
    Effect.promise(async () => {
      const dir = mkdtempSync(join(tmpdir(), "org-kill-"))
      const sim = await start({ seed: "org-kill", latency: "3 millis", organization: { members: 1000, workspaces: 1 } })
      const file = join(dir, "org.json")
      writeFileSync(file, fileOf(sim.service.state.members().map((m) => m.email)))
      // one uninterrupted apply sends, per workspace: a create, 4 budgets, 3 chunks of members, a guardrail, 2 chunks of assignments
      const expected = { "POST /workspaces": 4, "PUT budgets": 16, "POST members/add": 12, "POST /guardrails": 4, "POST assignments": 8 }
      const categoryOf = (r: string) =>
        r === "POST /workspaces" || r === "POST /guardrails"
          ? r
          : r.startsWith("PUT ") && r.includes("/budgets/")
          ? "PUT budgets"
          : r.endsWith("/members/add")
          ? "POST members/add"
          : r.endsWith("/assignments/members")
          ? "POST assignments"
          : r
      // kill points drawn from a fixed seed
      const points = FastCheck.sample(FastCheck.integer({ min: 1, max: 40 }), { seed: 15, numRuns: 3 })
      const env = { FILE: file, JOURNAL: join(dir, "journal.sqlite"), JOB_ID: "org-killed" }
      let killed = 0
      for (const point of points) {
        const cut = await run(sim, env, point)
        if (cut.signal === "SIGKILL") killed++
      }
      const last = await run(sim, env)
      expect(last.code, last.stderr).toBe(0)
      expect(killed).toBeGreaterThan(0)
      // nothing sent twice: the successful changes of all runs are those of one uninterrupted apply
      const sent: Record<string, number> = {}
      for (const r of await changes(sim)) sent[categoryOf(r)] = (sent[categoryOf(r)] ?? 0) + 1
      expect(sent).toEqual(expected)
      // the organisation matches the file: a plan finds nothing to do
      const layer = Layer.mergeAll(Workspaces.Default, Organization.Default, Keys.Default, Guardrails.Default).pipe(
        Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const spec = await Effect.runPromise(OrgSpec.parse(fileOf(sim.service.state.members().map((m) => m.email)), "org.json"))
      const plan = await Effect.runPromise(Effect.provide(OrgPlan.plan(spec), layer))
      expect(OrgPlan.describe(plan)).toEqual(["No changes: the organisation matches the file."])
      await sim.close()
    }), 120_000)
})
