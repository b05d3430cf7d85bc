/**
 * Key rotation against the simulator over loopback, the grace driven by effect's TestClock: phase one
 * makes faithful replacements and hands their secrets over; re-runs make nothing twice; after the
 * grace, phase two disables (or deletes) the old keys; a sink that fails, an interrupted delivery, a
 * run that died after the create answered, and a create whose answer was lost each leave the old key
 * untouched and no live key nobody holds. The secret appears only where it was sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer, Stream, TestClock } from "effect"
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Counts, Journal, KeyRotation, SecretSink } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator, type SimulatorService } from "../src/simulator/index.ts"
import { changing, fast, keysNamed, lines, liveKeysNamed, scratch, services, sha256, startNow } from "./key-rotation-support.ts"

const assignments = Effect.flatMap(
  Guardrails,
  (g) => Effect.map(Stream.runCollect(g.streamAllKeyAssignments()), (chunk) => new Map([...chunk].map((a) => [a.keyHash, a.guardrailId])))
)

/** One enabled, unexpired key of engineering whose creator is a member, selected by its label alone. */
const oneKey = Effect.map(Simulator, (sim) => {
  const workspace = sim.state.workspaces().find((w) => w.slug === "engineering")!
  const members = new Set(sim.state.members().map((m) => m.id))
  const key = sim.state.apiKeys().find((k) =>
    k.workspaceId === workspace.id && !k.disabled && (k.expiresAt == null || Date.parse(k.expiresAt) > Date.now()) &&
    k.creatorUserId !== null && members.has(k.creatorUserId)
  )!
  return { key, selection: { workspaces: ["engineering"], label: key.label }, newName: `${key.name}-rotated` }
})

/** What each test gets: the simulator, a scratch directory, its journal and a secrets file path. */
const setupOf = (sim: SimulatorService, dir: string) => {
  const journal = join(dir, "journal.sqlite")
  /** The journal opened for this call alone, as a new process would. */
  const withJournal = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Journal.layer(journal))
  return {
    sim,
    dir,
    journal,
    secrets: join(dir, "s.jsonl"),
    /** Apply `spec` as job `jobId` (a fast gate; `options` on top). */
    apply: (spec: unknown, jobId: string, options: KeyRotation.ApplyOptions = {}) =>
      withJournal(KeyRotation.apply(spec, { ...fast, jobId, ...options })),
    /** Plan `spec` as job `jobId` (its journal read). */
    plan: (spec: unknown, jobId: string) => withJournal(KeyRotation.plan(spec, { ...fast, jobId })),
    /** The journal's entries of job `jobId`. */
    entries: (jobId: string) => withJournal(Effect.flatMap(Journal.Journal, (j) => j.entries(jobId)))
  }
}

/** A rotation test: effect's clock set to now, a fresh simulator (and services), a fresh scratch directory. */
const rotationTest = (
  name: string,
  body: (setup: ReturnType<typeof setupOf>) => Effect.Effect<void, unknown, Layer.Layer.Success<typeof services>>
) =>
  it.scoped(name, () =>
    Effect.gen(function*() {
      yield* startNow
      yield* body(setupOf(yield* Simulator, scratch()))
    }).pipe(Effect.provide(services)), 60_000)

describe("key rotation", () => {
  rotationTest(
    "phase one copies each key and delivers its secret; re-runs make nothing twice; after the grace the old keys are disabled",
    ({ apply, journal, plan, secrets, sim }) =>
      Effect.gen(function*() {
        const spec = { workspaces: ["engineering"], name: "ci*", secretsTo: secrets }
        const old = yield* liveKeysNamed("engineering", "ci")
        expect(old.length).toBeGreaterThan(1)
        // one of them under a guardrail, which its replacement must get too
        const guardrails = yield* Guardrails
        const workspaceId = old[0]!.workspaceId
        const guardrail = (yield* Stream.runCollect(guardrails.stream({ workspaceId })).pipe(Effect.map((c) => [...c])))[0]!
        yield* guardrails.assignKeys({ id: guardrail.id, keyHashes: [old[0]!.hash] })
        yield* sim.clearRequests
        const guardrailsBefore = yield* assignments

        // the plan changes nothing and names every key
        const planned = yield* KeyRotation.plan(spec, fast)
        expect(planned.keys.map((k) => k.hash).sort()).toEqual(old.map((k) => k.hash).sort())
        expect(KeyRotation.describe(planned)[0]).toContain(`rotate ${old.length} keys in 1 workspace`)
        expect(yield* changing).toEqual([])

        const report = yield* apply(spec, "rotate-ci")
        expect(report.failed).toEqual([])
        expect(report.items.filter((i) => i.outcome === "done")).toHaveLength(old.length)

        // faithful copies, the old keys untouched
        const made = yield* keysNamed("engineering", "ci-rotated")
        expect(made).toHaveLength(old.length)
        const guardrailsAfter = yield* assignments
        const delivered = lines(secrets)
        expect(delivered).toHaveLength(old.length)
        expect(statSync(secrets).mode & 0o777).toBe(0o600)
        for (const key of old) {
          const line = delivered.find((l) => l.oldHash === key.hash)!
          const copy = made.find((k) => k.hash === line.newHash)!
          expect(sha256(line.secret)).toBe(copy.hash)
          expect(line).toMatchObject({ name: "ci-rotated", workspace: "engineering" })
          expect({ limit: copy.limit, reset: copy.limitReset, byok: copy.includeByokInLimit, creator: copy.creatorUserId, ws: copy.workspaceId })
            .toEqual({ limit: key.limit, reset: key.limitReset, byok: key.includeByokInLimit, creator: key.creatorUserId, ws: key.workspaceId })
          expect(guardrailsAfter.get(copy.hash)).toBe(guardrailsBefore.get(key.hash))
          expect(copy.disabled).toBe(false)
          expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
        }
        expect(old.some((k) => guardrailsBefore.has(k.hash))).toBe(true)
        // the secrets are in the file they were sent to, nowhere else
        const journalBytes = readFileSync(journal, "latin1")
        for (const { secret } of delivered) {
          expect(journalBytes).not.toContain(secret)
          expect(JSON.stringify(report)).not.toContain(secret)
          expect(JSON.stringify(planned)).not.toContain(secret)
        }

        // a re-run (the next cron run) makes nothing and says what is waiting, and until when
        yield* sim.clearRequests
        yield* TestClock.adjust("6 days")
        const waiting = yield* apply(spec, "rotate-ci")
        expect(yield* changing).toEqual([])
        const waits = waiting.items.filter((i) => i.outcome === "waiting")
        expect(waits.map((i) => i.key).sort()).toEqual(old.map((k) => k.hash).sort())
        expect(waits[0]!.reason).toMatch(/^its grace ends \d{4}-\d\d-\d\dT/)
        expect(waiting.items.filter((i) => i.outcome === "already-done")).toHaveLength(old.length)
        // the counts a person reads add up: every key is in a line
        expect(Counts.lines(waiting.items).join("\n")).toContain(`${old.length} waiting (not due yet)`)
        // a dry run with the job id shows the same
        const again = yield* plan(spec, "rotate-ci")
        expect(again.keys).toEqual([])
        expect(again.pending).toHaveLength(old.length)
        expect(KeyRotation.describe(again).filter((l) => l.includes("= waiting"))).toHaveLength(old.length)

        // the grace passes: phase two disables exactly the old keys
        yield* TestClock.adjust("1 day")
        const retired = yield* apply(spec, "rotate-ci")
        expect(retired.failed).toEqual([])
        expect(retired.items.filter((i) => i.outcome === "done" && i.action.startsWith("disable old"))).toHaveLength(old.length)
        for (const key of old) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(true)
        for (const key of made) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
        expect(lines(secrets)).toHaveLength(old.length)

        // and then nothing more, ever
        yield* sim.clearRequests
        yield* TestClock.adjust("30 days")
        const after = yield* apply(spec, "rotate-ci")
        expect(after.failed).toEqual([])
        expect(yield* changing).toEqual([])
        expect(yield* keysNamed("engineering", "ci-rotated")).toHaveLength(old.length)
      })
  )

  rotationTest(
    "deleteOld deletes the old keys after the grace; an old key deleted meanwhile is already done",
    ({ sim, secrets, apply }) =>
      Effect.gen(function*() {
        const keys = yield* Keys
        const spec = { workspaces: ["research"], name: "prod", grace: "1h", deleteOld: true, secretsTo: secrets }
        const first = yield* apply(spec, "r")
        const rotated = first.items.filter((i) => i.outcome === "done").map((i) => i.key)
        expect(rotated.length).toBeGreaterThan(1)
        yield* keys.delete({ hash: rotated[0]! })
        yield* TestClock.adjust("61 minutes")
        const second = yield* apply(spec, "r")
        expect(second.failed).toEqual([])
        const retire = second.items.filter((i) => i.action.startsWith("delete old"))
        expect(retire.find((i) => i.key === rotated[0])!.outcome).toBe("already-done")
        expect(retire.filter((i) => i.outcome === "done")).toHaveLength(rotated.length - 1)
        for (const hash of rotated) expect(sim.state.apiKeys().some((k) => k.hash === hash)).toBe(false)
      })
  )

  rotationTest(
    "a failing secrets command: the new key disabled, the old untouched, the reason reported; the next run replaces the undelivered key",
    ({ apply, dir, journal, sim }) =>
      Effect.gen(function*() {
        const unsealed = join(dir, "unsealed")
        const out = join(dir, "store")
        // as a credential helper: the secret on stdin, the names in the environment
        const command = `test -f ${unsealed} || { echo "vault is sealed" >&2; exit 3; }; ` +
          `printf '%s %s %s %s\\n' "$OPENROUTER_OLD_KEY_HASH" "$OPENROUTER_KEY_HASH" "$OPENROUTER_KEY_NAME" "$(cat)" >> ${out}`
        const spec = { workspaces: ["engineering"], name: "staging", secretsCommand: command }
        const old = (yield* keysNamed("engineering", "staging")).filter((k) => !k.disabled)
        const report = yield* apply(spec, "sealed")
        expect(report.failed).toHaveLength(old.length)
        for (const item of report.failed) {
          expect(item.reason).toContain("it exited with 3: vault is sealed")
          expect(item.reason).toContain("was disabled; the old key is untouched")
        }
        const made = yield* keysNamed("engineering", "staging-rotated")
        expect(made).toHaveLength(old.length)
        expect(made.every((k) => k.disabled)).toBe(true)
        for (const key of old) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
        expect(existsSync(out)).toBe(false)

        // the vault is back: the disabled keys (secrets held by nobody) are deleted, fresh ones delivered
        writeFileSync(unsealed, "")
        const retry = yield* apply(spec, "sealed")
        expect(retry.failed).toEqual([])
        const now = yield* keysNamed("engineering", "staging-rotated")
        expect(now).toHaveLength(old.length)
        expect(now.every((k) => !k.disabled)).toBe(true)
        for (const k of made) expect(sim.state.apiKeys().some((s) => s.hash === k.hash)).toBe(false)
        const stored = readFileSync(out, "utf8").trim().split("\n").map((l) => l.split(" "))
        expect(stored.map(([oldHash]) => oldHash).sort()).toEqual(old.map((k) => k.hash).sort())
        for (const [, newHash, name, secret] of stored) {
          expect(name).toBe("staging-rotated")
          expect(sha256(secret!)).toBe(newHash)
          expect(readFileSync(journal, "latin1")).not.toContain(secret)
          expect(JSON.stringify(retry)).not.toContain(secret)
        }
      })
  )

  rotationTest(
    "a run that dies after the create answered (secret never delivered): the next run deletes that key and makes a fresh one",
    ({ sim, secrets, apply }) =>
      Effect.gen(function*() {
        const { key, newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: secrets }
        // the process "dies" in the sink: no cleanup of any kind runs
        const dying: SecretSink.SecretSink = { describe: "a dying sink", check: Effect.void, deliver: () => Effect.die("killed") }
        const exit = yield* Effect.exit(apply(spec, "dies", { sink: dying }))
        expect(exit._tag).toBe("Failure")
        const orphan = yield* keysNamed("engineering", newName)
        expect(orphan).toHaveLength(1)
        expect(orphan[0]!.disabled).toBe(false)

        const next = yield* apply(spec, "dies")
        expect(next.failed).toEqual([])
        expect(next.items[0]!.reason).toContain(`deleted ${orphan[0]!.label}, made by an earlier attempt whose secret was never delivered`)
        const now = yield* keysNamed("engineering", newName)
        expect(now).toHaveLength(1)
        expect(now[0]!.hash).not.toBe(orphan[0]!.hash)
        expect(lines(spec.secretsTo).map((l) => l.newHash)).toEqual([now[0]!.hash])
        expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
      })
  )

  rotationTest(
    "a run that dies after writing the secrets file but before the journal says so: the next run finds the line and makes nothing",
    ({ sim, secrets, apply }) =>
      Effect.gen(function*() {
        const { newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: secrets }
        const file = SecretSink.file(spec.secretsTo)
        const diesAfter: SecretSink.SecretSink = { ...file, deliver: (d) => Effect.zipRight(file.deliver(d), Effect.die("killed")) }
        yield* Effect.exit(apply(spec, "late", { sink: diesAfter }))
        const made = yield* keysNamed("engineering", newName)
        expect(made).toHaveLength(1)
        yield* sim.clearRequests
        const next = yield* apply(spec, "late")
        expect(next.failed).toEqual([])
        expect(next.items[0]!.reason).toContain("by a run that stopped before recording it")
        expect(yield* changing).toEqual([])
        expect((yield* keysNamed("engineering", newName)).map((k) => [k.hash, k.disabled])).toEqual([[made[0]!.hash, false]])
        expect(lines(spec.secretsTo)).toHaveLength(1)
      })
  )

  rotationTest(
    "interrupted while delivering: the new key is disabled at once and the journal says so",
    ({ secrets, apply, entries }) =>
      Effect.gen(function*() {
        const { newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: secrets }
        const stuck: SecretSink.SecretSink = { describe: "a stuck sink", check: Effect.void, deliver: () => Effect.interrupt }
        const exit = yield* Effect.exit(apply(spec, "int", { sink: stuck }))
        expect(exit._tag).toBe("Failure")
        const made = yield* keysNamed("engineering", newName)
        expect(made.map((k) => k.disabled)).toEqual([true])
        const recorded = yield* entries("int")
        const entry = [...recorded.values()].find((e) => e.key.startsWith("rotate:"))!
        expect((entry.result as any).record).toMatchObject({
          stage: "undelivered",
          newHash: made[0]!.hash,
          reason: "interrupted while delivering the secret"
        })
      })
  )

  rotationTest(
    "a create whose answer is lost is not replayed blindly: the next run finds the key it made, deletes it, makes a fresh one",
    ({ sim, secrets, apply }) =>
      Effect.gen(function*() {
        const { newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: secrets }
        yield* sim.inject({ method: "POST", path: "/keys", drop: true, after: "handle" })
        const first = yield* apply(spec, "lost")
        expect(first.failed).toHaveLength(1)
        expect(first.failed[0]!.reason).toContain("the API did not say whether it made the new key")
        expect((yield* changing).filter((r) => r.method === "POST")).toHaveLength(1)
        const lost = yield* keysNamed("engineering", newName)
        expect(lost).toHaveLength(1)

        const next = yield* apply(spec, "lost")
        expect(next.failed).toEqual([])
        const now = yield* keysNamed("engineering", newName)
        expect(now).toHaveLength(1)
        expect(now[0]!.hash).not.toBe(lost[0]!.hash)
        expect(lines(spec.secretsTo).map((l) => l.newHash)).toEqual([now[0]!.hash])
      })
  )

  rotationTest(
    "an empty or contradictory selection is refused before any request; no sink, nothing is created",
    ({ apply, dir }) =>
      Effect.gen(function*() {
        const issue = (input: unknown) => Effect.map(Effect.flip(KeyRotation.plan(input, fast)), (e) => (e as { issue: string }).issue)
        expect(yield* issue({ workspaces: ["engineering"] })).toContain("no criterion given: this would rotate every key")
        expect(yield* issue({ workspaces: [], name: "ci" })).toContain("give at least one workspace")
        expect(yield* issue({ workspaces: ["engineering"], name: "ci", secretsTo: "a", secretsCommand: "b" })).toContain("not both")
        expect(yield* issue({ workspaces: ["engineering"], olderThan: "soon" })).toContain("is not a positive age")
        expect(yield* changing).toEqual([])
        const noSink = yield* Effect.flip(apply({ workspaces: ["engineering"], name: "ci" }, "x"))
        expect((noSink as { issue: string }).issue).toContain("no place for their secrets")
        // a secrets file others can read is refused
        const open = join(dir, "world-readable.jsonl")
        writeFileSync(open, "", { mode: 0o644 })
        const unsafe = yield* Effect.flip(apply({ workspaces: ["engineering"], name: "ci", secretsTo: open }, "y"))
        expect((unsafe as { issue: string }).issue).toContain("other users may read it (mode 644)")
        expect(yield* changing).toEqual([])
      })
  )

  rotationTest(
    "olderThan and expiringWithin judge at the Clock's now; expired and disabled keys are never rotated",
    ({ sim }) =>
      Effect.gen(function*() {
        const now = Date.now()
        const within = (yield* KeyRotation.plan({ workspaces: "all", expiringWithin: "400d" }, fast)).keys
        const expected = sim.state.apiKeys().filter((k) =>
          !k.disabled && k.expiresAt != null && Date.parse(k.expiresAt) > now && Date.parse(k.expiresAt) <= now + 400 * 86_400_000
        )
        expect(within.map((k) => k.hash).sort()).toEqual(expected.map((k) => k.hash).sort())
        expect(within.length).toBeGreaterThan(0)
        // seeded keys date from early 2025: none is older than the time since then plus a year
        expect(
          (yield* KeyRotation.plan({ workspaces: "all", olderThan: `${Math.ceil((now - Date.parse("2025-01-01")) / 86_400_000) + 365}d` }, fast)).keys
        )
          .toEqual([])
        const old = (yield* KeyRotation.plan({ workspaces: "all", olderThan: "90d" }, fast)).keys
        expect(old.length).toBe(sim.state.apiKeys().filter((k) => !k.disabled && !(k.expiresAt != null && Date.parse(k.expiresAt) <= now)).length)
      })
  )
})
