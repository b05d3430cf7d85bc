/**
 * End to end: the built CLI (`bin/openrouter-admin.mjs`) as a child process against a simulator in
 * this process. Exit codes, `--json` output, the `--yes` guard, dry runs, resume after SIGKILL, and
 * `schedule` on a short cron stopped by SIGTERM.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { collectChild as collect, jsonLines, launchIn, runIn, workDir } from "./cli-support.ts"

const dir = workDir("cli-")
const launch = launchIn(dir)
const run = runIn(dir)
const lines = jsonLines
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")

describe("openrouter-admin", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli", organization: { members: 3000 }, files: { count: 300 } })
  })
  afterAll(() => sim.close())

  it("operations print JSON when piped, and exit codes say what happened", async () => {
    const [list, get, budgets, members, files, missing, noKey, invalid] = await Promise.all([
      run(sim, ["workspaces", "list"]),
      run(sim, ["workspaces", "get", "research", "--json"]),
      run(sim, ["workspaces", "budgets", "list", "engineering"]),
      run(sim, ["org", "members"]),
      run(sim, ["files", "list"]),
      run(sim, ["workspaces", "get", "no-such-workspace"]),
      run(undefined, ["workspaces", "list"], { OPENROUTER_API_KEY: "", OPENROUTER_BASE_URL: sim.baseUrl }),
      run(sim, ["workspaces", "create", "--name", "Bad", "--slug", "Bad Slug"])
    ])
    expect(list.code).toBe(0)
    expect(lines(list.stdout).map((w) => w.slug)).toContain("research")
    expect(lines(list.stdout)).toHaveLength(sim.service.state.workspaces().length)
    expect(JSON.parse(get.stdout)).toMatchObject({ slug: "research", name: "Research" })
    expect(lines(budgets.stdout).map((b) => b.interval).sort()).toEqual(["monthly", "weekly"])
    expect(lines(members.stdout)).toHaveLength(3000)
    expect(lines(files.stdout).length).toBeGreaterThan(0)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("404")
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("OPENROUTER_API_KEY")
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain("nothing was sent")
    expect(await changing(sim)).toHaveLength(0)
  }, 90_000)

  it("destructive jobs need --yes; a dry run changes nothing; onboarding from a CSV reports unknown users", async () => {
    const refused = await run(sim, ["files", "cleanup", "--older-than", "300d", "--journal", join(dir, "j.sqlite")])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--yes")
    const dry = await run(sim, ["files", "cleanup", "--older-than", "300d", "--name", "*.txt", "--dry-run", "--journal", join(dir, "j.sqlite")])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout).plan.files.length).toBeGreaterThan(0)
    expect(await changing(sim)).toHaveLength(0)

    const report = join(dir, "onboard.json")
    const onboard = await run(sim, [
      "onboard",
      "--users-file",
      fileURLToPath(new URL("./fixtures/onboard.csv", import.meta.url)),
      "--user",
      sim.service.state.members()[5]!.id,
      "--workspace",
      "support",
      "--journal",
      join(dir, "j.sqlite"),
      "--report",
      report
    ])
    expect(onboard.code).toBe(1)
    const written = JSON.parse(readFileSync(report, "utf8"))
    expect(written.items.filter((i: any) => i.outcome === "failed").map((i: any) => i.key).sort()).toEqual([
      "ada.lovelace.9999@example.com",
      "user_not_in_this_org"
    ])
    expect(JSON.stringify(written)).not.toContain(sim.managementKey)
    expect(readFileSync(join(dir, "j.sqlite")).includes(Buffer.from(sim.managementKey))).toBe(false)
    // piped, stdout has a summary (counts and the failures), not every item: those are in the report
    const printed = JSON.parse(onboard.stdout)
    expect(printed).toMatchObject({ jobId: written.jobId, kind: "onboarding", totals: written.totals })
    expect(printed.items).toBeUndefined()
    expect(printed.failed.map((i: any) => i.key).sort()).toEqual(["ada.lovelace.9999@example.com", "user_not_in_this_org"])
    // --report - prints the full report on stdout instead
    const again = await run(sim, [
      "onboard",
      "--user",
      sim.service.state.members()[5]!.id,
      "--workspace",
      "support",
      "--journal",
      join(dir, "j.sqlite"),
      "--report",
      "-"
    ])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).items).toEqual([expect.objectContaining({ outcome: "already-done", reason: "already a member" })])
  }, 90_000)

  it("a job killed with SIGKILL resumes with --job-id and nothing is done twice", async () => {
    const slow = await start({ seed: "cli-resume", organization: { members: 3000 }, latency: "20 millis" })
    try {
      const ids = slow.service.state.members().map((m) => m.id)
      const usersFile = join(dir, "users.txt")
      writeFileSync(usersFile, ids.join("\n"))
      const args = [
        "onboard",
        "--users-file",
        usersFile,
        "--workspace",
        "engineering",
        "--workspace",
        "research",
        "--workspace",
        "marketing",
        "--rate",
        "20",
        "--concurrency",
        "2",
        "--job-id",
        "kill-me",
        "--journal",
        join(dir, "resume.sqlite")
      ]
      const child = launch(slow, args)
      const killed = collect(child)
      for (let i = 0; i < 500; i++) {
        const adds = (await slow.requests()).filter((r) => r.path.endsWith("/members/add") && r.status === 200)
        if (adds.length >= 5) break
        await new Promise((r) => setTimeout(r, 20))
      }
      child.kill("SIGKILL")
      await killed
      const before = (await slow.requests()).filter((r) => r.path.endsWith("/members/add")).length
      expect(before).toBeGreaterThan(0)
      const resumed = await run(slow, args)
      expect(resumed.code).toBe(0)
      for (const slug of ["engineering", "research", "marketing"]) {
        expect(slow.service.state.workspaceMembers(slug)).toHaveLength(3000)
      }
      const adds = (await slow.requests()).filter((r) => r.path.endsWith("/members/add") && r.status === 200)
      // 3 workspaces × at most 30 chunks of 100, minus the members they had: never more, nothing repeated
      expect(adds.length).toBeLessThanOrEqual(90)
    } finally {
      await slow.close()
    }
  }, 90_000)

  it("schedule runs a job on a short cron, at least twice, and stops on SIGTERM", async () => {
    const child = launch(sim, ["schedule", "--cron", "* * * * * *", "--", "workspaces", "list", "--json"])
    const done = collect(child)
    let output = ""
    child.stdout!.on("data", (d) => (output += d))
    for (let i = 0; i < 2400 && !output.includes("run 2 finished"); i++) await new Promise((r) => setTimeout(r, 25))
    child.kill("SIGTERM")
    const result = await done
    expect(result.stdout).toContain("run 1 finished with exit code 0")
    expect(result.stdout).toContain("run 2 finished with exit code 0")
    expect(result.stdout).toContain("schedule stopped")
    // stopped by SIGTERM: the exit code says so
    expect(result.code).toBe(143)
  }, 90_000)
})
