/**
 * `openrouter-admin keys rotate` end to end: the built CLI as a child process against a simulator in
 * this process, the grace short (`--grace 2s`) so phase two is reached in real time. The secret is
 * only ever in the file or command it was sent to: never on stdout, stderr, in the report or the
 * journal. A failing secrets command exits 1 with the reason; a CLI killed with SIGKILL between the
 * create and the delivery is finished by the next run without a second live replacement.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { runIn, workDir } from "./cli-support.ts"

const dir = workDir("cli-rotate-")
const run = runIn(dir)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
const changing = async (sim: RunningSimulator) => (await sim.requests()).filter((r) => r.method !== "GET")

describe("openrouter-admin keys rotate", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-rotate" })
  })
  afterAll(() => sim.close())

  const keysNamed = (slug: string, name: string) => {
    const workspace = sim.service.state.workspaces().find((w) => w.slug === slug)!
    return sim.service.state.apiKeys().filter((k) => k.workspaceId === workspace.id && k.name === name)
  }
  const live = (slug: string, name: string) =>
    keysNamed(slug, name).filter((k) => !k.disabled && (k.expiresAt == null || Date.parse(k.expiresAt) > Date.now()))
  const byHash = (hash: string) => sim.service.state.apiKeys().find((k) => k.hash === hash)

  it("bad selections exit 2 with a message, and nothing is sent", async () => {
    const j = ["--journal", join(dir, "bad.sqlite"), "--yes"]
    const cases: Array<[ReadonlyArray<string>, string]> = [
      [["keys", "rotate", "--workspace", "engineering", ...j], "no criterion given"],
      [["keys", "rotate", "--name", "ci", ...j], "no workspace given"],
      [["keys", "rotate", "--workspace", "engineering", "--all", "--name", "ci", ...j], "not both"],
      [["keys", "rotate", "--workspace", "engineering", "--name", "ci", "--secrets-to", "a", "--secrets-command", "cat", ...j], "not both"],
      [["keys", "rotate", "--workspace", "engineering", "--older-than", "soon", "--secrets-to", "a", ...j], "--older-than"],
      [["keys", "rotate", "--workspace", "engineering", "--name", "ci", "--grace", "-1d", "--secrets-to", "a", ...j], "--grace"],
      [["keys", "rotate", "--workspace", "nope-*", "--name", "ci", "--secrets-to", "a", ...j], "no workspace matches"],
      [["keys", "rotate", "--workspace", "engineering", "--name", "ci", ...j], "no place for their secrets"],
      [["keys", "rotate", "--workspace", "engineering", "--name", "ci", "--secrets-to", join(dir, "no-dir", "s.jsonl"), ...j], "does not exist"],
      [["keys", "rotate", "--workspace", "engineering", "--name", "ci", "--secrets-to", "s.jsonl"], "--yes"]
    ]
    for (const [args, expected] of cases) {
      const result = await run(sim, args)
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toContain(expected)
    }
    expect(await changing(sim)).toEqual([])
  }, 120_000)

  it("phase one delivers every secret to --secrets-to only; re-runs say what is waiting; after --grace the old keys are disabled", async () => {
    const journal = join(dir, "journal.sqlite")
    const secrets = join(dir, "new-keys.jsonl")
    const report = join(dir, "report.json")
    const old = live("engineering", "ci")
    expect(old.length).toBeGreaterThan(1)
    const args = ["keys", "rotate", "--workspace", "engineering", "--name", "ci", "--secrets-to", secrets, "--grace", "8s"]
    const common = ["--job-id", "rotate-ci", "--journal", journal]

    const dry = await run(sim, [...args, ...common, "--dry-run"])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout).plan.keys.map((k: { hash: string }) => k.hash).sort()).toEqual(old.map((k) => k.hash).sort())
    expect(existsSync(secrets)).toBe(false)
    expect(await changing(sim)).toEqual([])

    const first = await run(sim, [...args, ...common, "--yes", "--report", report])
    const firstDone = Date.now()
    expect(first.code).toBe(0)
    expect(statSync(secrets).mode & 0o777).toBe(0o600)
    const delivered = readFileSync(secrets, "utf8").trim().split("\n").map((l) => JSON.parse(l))
    expect(delivered.map((d) => d.oldHash).sort()).toEqual(old.map((k) => k.hash).sort())
    for (const d of delivered) expect(sha256(d.secret)).toBe(d.newHash)
    for (const key of old) expect(byHash(key.hash)!.disabled).toBe(false)

    const second = await run(sim, [...args, ...common, "--yes"])
    expect(second.code).toBe(0)
    const summary = JSON.parse(second.stdout)
    expect(summary.waiting.map((i: { key: string }) => i.key).sort()).toEqual(old.map((k) => k.hash).sort())
    expect(summary.waiting[0].reason).toMatch(/^its grace ends \d{4}-/)
    expect(second.stderr).not.toContain("error")
    expect(live("engineering", "ci-rotated")).toHaveLength(old.length)

    // the grace counts from each delivery, all made before the first run ended
    await sleep(Math.max(0, firstDone + 8200 - Date.now()))
    const third = await run(sim, [...args, ...common, "--yes"])
    expect(third.code).toBe(0)
    for (const key of old) expect(byHash(key.hash)!.disabled).toBe(true)
    expect(live("engineering", "ci-rotated")).toHaveLength(old.length)

    // resume with the saved spec: nothing left to do
    const resumed = await run(sim, ["keys", "rotate", ...common, "--yes"])
    expect(resumed.code).toBe(0)
    expect(live("engineering", "ci-rotated")).toHaveLength(old.length)

    // the secrets are nowhere but in the file they were sent to
    const everywhere = [first, second, third, resumed, dry].flatMap((r) => [r.stdout, r.stderr]).join("\n") +
      readFileSync(report, "utf8") + readFileSync(journal, "latin1")
    for (const d of delivered) expect(everywhere).not.toContain(d.secret)
  }, 120_000)

  it("a failing --secrets-command exits 1 with the reason: the new key disabled, the old one untouched", async () => {
    const journal = join(dir, "failing.sqlite")
    const old = live("research", "prod")
    expect(old.length).toBeGreaterThan(0)
    const result = await run(sim, [
      "keys",
      "rotate",
      "--workspace",
      "research",
      "--name",
      "prod",
      "--secrets-command",
      "echo 'permission denied on secret/keys' >&2; exit 1",
      "--yes"
    ], { OPENROUTER_JOURNAL: journal })
    expect(result.code).toBe(1)
    expect(result.stdout + result.stderr).toContain("it exited with 1: permission denied on secret/keys")
    expect(result.stdout).toContain("was disabled; the old key is untouched")
    const made = keysNamed("research", "prod-rotated")
    expect(made).toHaveLength(old.length)
    expect(made.every((k) => k.disabled)).toBe(true)
    for (const key of old) expect(byHash(key.hash)!.disabled).toBe(false)
    // OPENROUTER_JOURNAL chose the journal
    expect(existsSync(journal)).toBe(true)
  }, 120_000)

  it("SIGKILL between the create and the delivery: the next run deletes the undelivered key and makes a fresh one", async () => {
    const journal = join(dir, "killed.sqlite")
    const marker = join(dir, "killed-once")
    const store = join(dir, "store.txt")
    const old = live("engineering", "staging")
    expect(old.length).toBeGreaterThan(0)
    // the first delivery kills the CLI itself (the shell's parent), as a pod killed at that moment would be
    const command = `test -f ${marker} || { touch ${marker}; kill -9 $PPID; sleep 5; }; printf '%s %s\\n' "$OPENROUTER_KEY_HASH" "$(cat)" >> ${store}`
    const args = [
      "keys",
      "rotate",
      "--workspace",
      "engineering",
      "--name",
      "staging",
      "--secrets-command",
      command,
      "--job-id",
      "k",
      "--journal",
      journal
    ]
    const killed = await run(sim, [...args, "--yes"])
    expect(killed.code).toBe(null)
    const orphans = keysNamed("engineering", "staging-rotated")
    expect(orphans.length).toBeGreaterThan(0)

    const next = await run(sim, ["keys", "rotate", "--job-id", "k", "--journal", journal, "--yes"])
    expect(next.code).toBe(0)
    const made = keysNamed("engineering", "staging-rotated")
    expect(made).toHaveLength(old.length)
    expect(made.every((k) => !k.disabled)).toBe(true)
    // whatever the killed run made (several creates may have been in flight) is gone
    for (const orphan of orphans) expect(made.some((k) => k.hash === orphan.hash)).toBe(false)
    // every live replacement's secret was delivered (a delivery the kill cut short of the journal was made again)
    const stored = new Map(readFileSync(store, "utf8").trim().split("\n").map((l) => l.split(" ") as [string, string]))
    for (const key of made) expect(sha256(stored.get(key.hash)!)).toBe(key.hash)
    for (const key of old) expect(byHash(key.hash)!.disabled).toBe(false)
  }, 120_000)
})
