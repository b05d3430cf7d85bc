/**
 * One runner per job, from the command line: two `onboard` processes on one journal with the same
 * `--job-id` (one refuses, exit 2, naming the holder and `--wait`; nothing is sent twice); `--wait` waits
 * for the holder instead; a holder killed with SIGKILL is taken over by the next run, which says so;
 * `jobs list|show` tell running (with the holder), stopped and finished; a broken journal is exit 2 with
 * the file and what to do, before any request that changes anything; `OPENROUTER_JOURNAL` names it.
 */
import { describe, expect, it } from "@effect/vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { collectChild, launchIn, runIn, workDir } from "./cli-support.ts"

const dir = workDir("cli-lease-")
const launch = launchIn(dir)
const run = runIn(dir)
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")

/** Wait until `check` holds (polling real time: these are other processes). */
const until = async (check: () => Promise<boolean> | boolean, what: string) => {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe("openrouter-admin: one runner per job", () => {
  let sim: RunningSimulator
  let usersFile: string
  beforeAll(async () => {
    sim = await start({ seed: "cli-lease", organization: { members: 2000 }, latency: "15 millis" })
    usersFile = join(dir, "users.txt")
    writeFileSync(usersFile, sim.service.state.members().map((m) => m.id).join("\n"))
  })
  afterAll(() => sim.close())

  const onboard = (journal: string, jobId: string, workspace: string, extra: ReadonlyArray<string> = []) => [
    "onboard",
    "--users-file",
    usersFile,
    "--workspace",
    workspace,
    "--rate",
    "3",
    "--concurrency",
    "1",
    "--job-id",
    jobId,
    "--journal",
    journal,
    ...extra
  ]
  const adds = async (slug: string) => {
    const id = sim.service.state.workspaces().find((w) => w.slug === slug)!.id
    return (await sim.requests()).filter((r) => r.method === "POST" && r.path === `/workspaces/${id}/members/add`)
  }

  it("twins on one journal and one job id: the second refuses (exit 2) naming the holder; jobs list shows it running", async () => {
    const journal = join(dir, "twins.sqlite")
    const first = launch(sim, onboard(journal, "twins", "engineering"))
    const firstDone = collectChild(first)
    await until(async () => (await adds("engineering")).length >= 2, "the first runner's adds")
    const [second, listed] = await Promise.all([run(sim, onboard(journal, "twins", "engineering")), run(sim, ["jobs", "list", "--journal", journal])])
    expect(second.code).toBe(2)
    expect(second.stderr).toContain(`pid ${first.pid}`)
    expect(second.stderr).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
    expect(second.stderr).toContain("--wait")
    expect(second.stderr).not.toContain("    at ")
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: "twins", status: "running", holder: { pid: first.pid } })
    // a list line is the job's state, not its spec (2,000 user ids): jobs show has that
    expect(JSON.parse(listed.stdout).spec).toBeUndefined()
    const done = await firstDone
    expect(done.code).toBe(0)
    // every chunk was sent once, by the first runner: 2,000 users, 20 chunks at most
    const sent = (await adds("engineering")).filter((r) => r.status === 200)
    expect(sent.length).toBeLessThanOrEqual(20)
    const shown = await run(sim, ["jobs", "show", "twins", "--journal", journal])
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: "twins", status: "finished" })
    expect(JSON.parse(shown.stdout).spec.users).toHaveLength(2000)
  }, 120_000)

  it("--wait waits for the holder, then finds the job done", async () => {
    const journal = join(dir, "wait.sqlite")
    const first = launch(sim, onboard(journal, "waited", "research"))
    const firstDone = collectChild(first)
    await until(async () => (await adds("research")).length >= 2, "the first runner's adds")
    const second = await run(sim, onboard(journal, "waited", "research", ["--wait"]))
    expect((await firstDone).code).toBe(0)
    expect(second.code).toBe(0)
    expect(second.stderr).toContain(`waiting: job waited is being applied by pid ${first.pid}`)
    expect((await adds("research")).filter((r) => r.status === 200).length).toBeLessThanOrEqual(20)
  }, 120_000)

  it("a holder killed with SIGKILL is taken over by the next run, which says so", async () => {
    const journal = join(dir, "takeover.sqlite")
    const env = { OPENROUTER_JOURNAL_LEASE_TTL: "1 second" }
    const first = launch(sim, onboard(journal, "taken", "marketing"), env)
    const killed = collectChild(first)
    await until(async () => (await adds("marketing")).length >= 2, "the first runner's adds")
    first.kill("SIGKILL")
    await killed
    const listed = await run(sim, ["jobs", "list", "--journal", journal], env)
    expect(JSON.parse(listed.stdout)).toMatchObject({ id: "taken", holder: { pid: first.pid } })
    const next = await run(sim, onboard(journal, "taken", "marketing"), env)
    expect(next.code).toBe(0)
    expect(next.stderr).toContain(`took over job taken from pid ${first.pid}`)
    expect(sim.service.state.workspaceMembers("marketing")).toHaveLength(2000)
    const shown = await run(sim, ["jobs", "show", "taken", "--journal", journal])
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: "taken", status: "finished" })
  }, 120_000)

  it("a journal that is not one: exit 2 naming the file and what to do, before any change (also via OPENROUTER_JOURNAL)", async () => {
    const garbage = join(dir, "garbage.sqlite")
    writeFileSync(garbage, "this is not a database, just some text that is long enough to look like a header".repeat(20))
    const before = (await changing(sim)).length
    const user = sim.service.state.members()[7]!.id
    const [flag, env, list] = await Promise.all([
      run(sim, ["onboard", "--user", user, "--workspace", "support", "--journal", garbage]),
      run(sim, ["onboard", "--user", user, "--workspace", "support"], { OPENROUTER_JOURNAL: garbage }),
      run(sim, ["jobs", "list"], { OPENROUTER_JOURNAL: garbage })
    ])
    for (const result of [flag, env, list]) {
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(garbage)
      expect(result.stderr).toMatch(/error: journal .*: .+/)
    }
    expect((await changing(sim)).length).toBe(before)
  }, 60_000)
})
