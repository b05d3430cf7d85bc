/**
 * The job commands end to end: the built CLI as a child process against a simulator in this process.
 * Destructive guards, bad inputs (exit 2, always a message, nothing sent), real CSVs, configuration
 * that composes, resume with the saved spec, a member removed by hand re-added on re-run, plan files,
 * the confirmation prompt on a pseudo-terminal, and SIGINT/SIGTERM exit codes with a partial report.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { bin, collectChild as collect, launchIn, type Result, runIn, simulatorEnv, workDir } from "./cli-support.ts"

const dir = workDir("cli-jobs-")
const launch = launchIn(dir)
const run = runIn(dir)
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("openrouter-admin jobs", () => {
  let sim: RunningSimulator
  let journal: string
  beforeAll(async () => {
    sim = await start({ seed: "cli-jobs", organization: { members: 400 }, files: { count: 200 } })
    journal = join(dir, "journal.sqlite")
  })
  afterAll(() => sim.close())

  it("every bad input exits 2 with a message, and nothing is sent", async () => {
    mkdirSync(join(dir, "a-directory"), { recursive: true })
    const binary = file("binary.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe, 0x0a]))
    const garbage = file("garbage.csv", "user_abc\nada@example.com\nnot a user\n")
    const j = ["--journal", journal]
    const cases: Array<[ReadonlyArray<string>, string]> = [
      [["files", "cleanup", "--yes", ...j], "--all"],
      [["files", "cleanup", "--older-than", "-5 days", "--yes", ...j], "--older-than"],
      [["files", "cleanup", "--older-than", "-5d", "--yes", ...j], "positive age"],
      [["files", "cleanup", "--older-than", "30", "--yes", ...j], "positive age"],
      [["files", "cleanup", "--older-than", "bogus", "--yes", ...j], "positive age"],
      [["files", "cleanup", "--created-before", "yesterday", "--yes", ...j], "ISO date"],
      [["files", "cleanup", "--min-size", "10", "--max-size", "5", "--yes", ...j], "--min-size (10) is larger than --max-size (5)"],
      [["files", "cleanup", "--older-than", "30d", ...j], "--yes"],
      [["budgets", "apply", "--monthly", "600", ...j], "--all"],
      [["budgets", "apply", "--monthly", "600", "--workspace", "nope-*", "--yes", ...j], "workspaces that exist"],
      [["budgets", "apply", "--daily", "600", "--monthly", "6", "--all", "--yes", ...j], "lifetime > monthly"],
      [["onboard", "--users-file", join(dir, "missing.csv"), "--workspace", "research", ...j], "no such file"],
      [["onboard", "--users-file", join(dir, "a-directory"), "--workspace", "research", ...j], "directory"],
      [["onboard", "--users-file", binary, "--workspace", "research", ...j], "binary"],
      [["onboard", "--users-file", garbage, "--workspace", "research", ...j], "line 3"],
      [["onboard", "--user", "user_a", "--workspace", "no-such-team", ...j], "no workspace matches"],
      [["onboard", "--user", "user_a", "--workspace", "research", "--rate", "0", ...j], "--rate"],
      [["onboard", "--user", "user_a", "--workspace", "research", "--concurrency", "0", ...j], "--concurrency"],
      [["onboard", "--user", "", "--workspace", "research", ...j], "--user"],
      [["apply", join(dir, "missing-plan.json"), "--yes", ...j], "cannot read the plan"],
      [["apply", file("not-a-plan.json", "{\"format\":\"x\"}"), "--yes", ...j], "not a valid plan"],
      [["simulator", "--port", String(new URL(sim.baseUrl).port)], "already in use"],
      [["simulator", "--latency", "soon"], "--latency"]
    ]
    const results = await Promise.all(cases.map(([args]) => run(sim, args)))
    results.forEach((result, i) => {
      const [args, message] = cases[i]!
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toContain(message)
    })
    expect(await changing(sim)).toHaveLength(0)
  }, 120_000)

  it("users files: quoted, ';'-separated, tab-separated, with a BOM and any header case", async () => {
    const members = sim.service.state.members()
    const [a, b, c] = [members[0]!, members[1]!, members[2]!]
    const files = [
      file("quoted.csv", `\uFEFF"Email","User_ID"\n"${a.email}",""\n"","${b.id}"\n`),
      file("semicolon.csv", `EMAIL;ID\n${a.email};\n;${b.id}\n`),
      file("tabs.tsv", `user_id\temail\n${b.id}\t\n\t${a.email}\n`),
      file("plain.txt", `${a.email}\n${b.id}\n`)
    ]
    for (const users of files) {
      const result = await run(sim, ["onboard", "--users-file", users, "--workspace", "research", "--dry-run", "--json", "--journal", journal])
      expect(result.code).toBe(0)
      const plan = JSON.parse(result.stdout).plan
      expect(plan.spec.users.sort()).toEqual([a.email, b.id].sort())
    }
    expect(c).toBeDefined()
    expect(await changing(sim)).toHaveLength(0)
  }, 60_000)

  it("--api-key with OPENROUTER_BASE_URL in the environment goes to that URL, and says so", async () => {
    const result = await run(undefined, [
      "budgets",
      "apply",
      "--monthly",
      "700",
      "--workspace",
      "research",
      "--dry-run",
      "--api-key",
      sim.managementKey,
      "--journal",
      journal
    ], {
      OPENROUTER_API_KEY: undefined,
      OPENROUTER_BASE_URL: sim.baseUrl
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`target: ${sim.baseUrl}`)
    expect(result.stderr).not.toContain("production")
  }, 30_000)

  it("resume uses the saved spec, refuses other flags or another kind, and re-adds a member removed by hand", async () => {
    const ids = sim.service.state.members().slice(10, 260).map((m) => m.id)
    const users = file("resume-users.txt", ids.join("\n"))
    const j = ["--journal", journal]
    const members = () => new Set(sim.service.state.workspaceMembers("support").map((m) => m.userId))
    const already = members()
    const first = await run(sim, ["onboard", "--users-file", users, "--workspace", "support", "--job-id", "r1", ...j])
    expect(first.code).toBe(0)
    const workspace = sim.service.state.workspaces().find((w) => w.slug === "support")!
    expect(ids.every((id) => members().has(id))).toBe(true)

    // the engine's resume check, phrased in flag terms, before the plan reads anything (only GET /key is sent)
    const before = (await sim.requests()).length
    const otherFlags = await run(sim, ["onboard", "--job-id", "r1", "--users-file", users, "--workspace", "sales", ...j])
    expect(otherFlags.code).toBe(2)
    expect(otherFlags.stderr).toContain(
      "job r1 was started with another selection (--workspace was [\"support\"], given [\"sales\"]): " +
        "resume it with --job-id alone (its saved selection), or start a new job without --job-id"
    )
    const otherKind = await run(sim, ["offboard", "--job-id", "r1", "--yes", ...j])
    expect(otherKind.code).toBe(2)
    expect(otherKind.stderr).toContain("job r1 is a onboarding job, not offboarding: resume it with `openrouter-admin onboard --job-id r1`")
    expect((await sim.requests()).slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /key", "GET /key"])

    // someone removes a member by hand; re-running the job (its id alone) puts them back
    const removed = ids.find((id) => !already.has(id))!
    const response = await fetch(`${sim.baseUrl}/workspaces/${workspace.id}/members/remove`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({ user_ids: [removed] })
    })
    expect(response.status).toBe(200)
    expect(members().has(removed)).toBe(false)
    const report = join(dir, "r1.json")
    const again = await run(sim, ["onboard", "--job-id", "r1", "--report", report, ...j])
    expect(again.code).toBe(0)
    expect(members().has(removed)).toBe(true)
    const items = JSON.parse(readFileSync(report, "utf8")).items as Array<{ key: string; outcome: string; action: string }>
    expect(items.filter((i) => i.outcome === "done").map((i) => i.key)).toEqual([removed])
    // the others are "already-done": those this job added earlier, and members from before it
    expect(items.filter((i) => i.outcome === "already-done")).toHaveLength(ids.length - 1)
    expect(items.filter((i) => i.outcome === "skipped")).toHaveLength(0)
    expect(items[0]!.action).toBe("add to support")

    const shown = await run(sim, ["jobs", "show", "r1", "--json", ...j])
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: "r1", kind: "onboarding", status: "finished", spec: { workspaces: ["support"] } })
  }, 90_000)

  it("--out saves a plan; apply runs exactly it after checking the server: what no longer applies is skipped", async () => {
    const planPath = join(dir, "cleanup-plan.json")
    const j = ["--journal", journal]
    const changesBefore = (await changing(sim)).length
    const saved = await run(sim, ["files", "cleanup", "--name", "*.tmp", "--workspace", "engineering", "--out", planPath, ...j])
    expect(saved.code).toBe(0)
    expect(await changing(sim)).toHaveLength(changesBefore)
    const document = JSON.parse(readFileSync(planPath, "utf8"))
    expect(document).toMatchObject({ format: "openrouter-effect/plan", version: 1, baseUrl: sim.baseUrl })
    const planned = document.plan.files as Array<{ id: string; workspaceId: string }>
    expect(planned.length).toBeGreaterThan(1)
    // one planned file disappears before the apply; a new matching file appears (not in the plan)
    const gone = planned[0]!
    sim.service.state.files.delete(sim.service.state.files.get(gone.workspaceId, gone.id)!)
    const before = sim.service.state.files.list(gone.workspaceId).map((f) => f.id)
    const applied = await run(sim, ["apply", planPath, "--yes", "--report", join(dir, "applied.json"), ...j])
    expect(applied.code).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, "applied.json"), "utf8"))
    // a planned file already gone is in place (the cleanup wanted it gone), not skipped
    expect(report.items.filter((i: any) => i.outcome === "already-done").map((i: any) => [i.key, i.reason])).toEqual([[gone.id, "already gone"]])
    expect(report.items.filter((i: any) => i.outcome === "done")).toHaveLength(planned.length - 1)
    const after = new Set(sim.service.state.files.list(gone.workspaceId).map((f) => f.id))
    const plannedIds = new Set(planned.map((f) => f.id))
    for (const id of before) expect(after.has(id)).toBe(!plannedIds.has(id))
  }, 60_000)

  it("on a terminal, a destructive job shows the plan and asks for a typed yes", async () => {
    const command = (answer: string) =>
      new Promise<Result>((resolve) => {
        const cli = ["node", bin, "budgets", "apply", "--monthly", answer === "yes" ? "901" : "902", "--workspace", "marketing", "--journal", journal]
        const child = spawn("script", ["-qfec", cli.map((a) => `'${a}'`).join(" "), "/dev/null"], {
          cwd: dir,
          env: { ...process.env, ...simulatorEnv(sim) },
          stdio: ["pipe", "pipe", "pipe"]
        })
        let stdout = ""
        let answered = false
        child.stdout.on("data", (d) => {
          stdout += d
          if (!answered && stdout.includes("Type yes")) {
            answered = true
            child.stdin.write(`${answer}\n`)
          }
        })
        child.on("exit", (code) => resolve({ code, stdout, bytes: Buffer.from(stdout), stderr: "" }))
      })
    const declined = await command("no")
    expect(declined.stdout).toContain("~ marketing monthly budget")
    expect(declined.stdout).toContain("not confirmed: nothing was changed")
    expect(declined.code).toBe(2)
    expect(sim.service.state.budgets("marketing").find((b) => b.interval === "monthly")?.limitUsd).not.toBe(902)
    const accepted = await command("yes")
    expect(accepted.code).toBe(0)
    expect(sim.service.state.budgets("marketing").find((b) => b.interval === "monthly")?.limitUsd).toBe(901)
  }, 60_000)

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal} stops a job with exit ${code}, a partial report and the exact resume command`, async () => {
      const slow = await start({ seed: `cli-${signal}`, organization: { members: 3000 }, latency: "20 millis" })
      try {
        const users = file(`${signal}-users.txt`, slow.service.state.members().map((m) => m.id).join("\n"))
        const report = join(dir, `${signal}.json`)
        const child = launch(slow, [
          "onboard",
          "--users-file",
          users,
          "--workspace",
          "engineering",
          "--workspace",
          "research",
          "--rate",
          "20",
          "--concurrency",
          "2",
          "--job-id",
          `stop-${signal}`,
          "--journal",
          journal,
          "--report",
          report
        ])
        const done = collect(child)
        for (let i = 0; i < 1000; i++) {
          if ((await slow.requests()).filter((r) => r.path.endsWith("/members/add")).length >= 3) break
          await sleep(20)
        }
        child.kill(signal)
        const result = await done
        expect(result.code).toBe(code)
        expect(result.stderr).toContain(`resume with:\n  openrouter-admin onboard --job-id stop-${signal} --journal ${journal}`)
        const partial = JSON.parse(readFileSync(report, "utf8"))
        expect(partial.status).toBe("interrupted")
        expect(partial.items.filter((i: any) => i.outcome === "done").length).toBeGreaterThan(0)
        // the printed command finishes the job
        const resumed = await run(slow, ["onboard", "--job-id", `stop-${signal}`, "--journal", journal])
        expect(resumed.code).toBe(0)
        for (const slug of ["engineering", "research"]) expect(slow.service.state.workspaceMembers(slug)).toHaveLength(3000)
      } finally {
        await slow.close()
      }
    }, 90_000)
  }
})
