/**
 * Key rotation against the simulator over loopback, the grace driven by effect's TestClock: phase one
 * makes faithful replacements and hands their secrets over; re-runs make nothing twice; after the
 * grace, phase two disables (or deletes) the old keys; a sink that fails, an interrupted delivery, a
 * run that died after the create answered, and a create whose answer was lost each leave the old key
 * untouched and no live key nobody holds. The secret appears only where it was sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Counts, Journal, KeyRotation, SecretSink } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator } from "../src/simulator/index.ts"
import { servicesLayer } from "./support.ts"

const services = Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(Layer.provideMerge(servicesLayer({ seed: "rotation" })))

/** A fresh directory for a journal and a secrets file. */
const scratch = () => mkdtempSync(join(tmpdir(), "rotation-"))

/** Run with a journal opened just for this call, as a new process would. */
const withJournal = (path: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Journal.layer(path))

/** The gate's token bucket runs on effect's Clock: under TestClock a high rate never waits. */
const fast = { rate: 1000 }

const changing = Effect.map(Effect.flatMap(Simulator, (sim) => sim.requests), (requests) => requests.filter((r) => r.method !== "GET"))

const keysNamed = (workspaceSlug: string, name: string) =>
  Effect.map(Simulator, (sim) => {
    const workspace = sim.state.workspaces().find((w) => w.slug === workspaceSlug)!
    return sim.state.apiKeys().filter((k) => k.workspaceId === workspace.id && k.name === name)
  })

const assignments = Effect.flatMap(
  Guardrails,
  (g) => Effect.map(Stream.runCollect(g.streamAllKeyAssignments()), (chunk) => new Map([...chunk].map((a) => [a.keyHash, a.guardrailId])))
)

const lines = (path: string) =>
  readFileSync(path, "utf8").trim().split("\n").map((line) =>
    JSON.parse(line) as { oldHash: string; newHash: string; name: string; workspace: string; secret: string }
  )

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

const startNow = TestClock.setTime(Date.now())

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

describe("key rotation", () => {
  it.scoped(
    "phase one copies each key and delivers its secret; re-runs make nothing twice; after the grace the old keys are disabled",
    () =>
      Effect.gen(function*() {
        yield* startNow
        const sim = yield* Simulator
        const dir = scratch()
        const journal = join(dir, "journal.sqlite")
        const secrets = join(dir, "new-keys.jsonl")
        const spec = { workspaces: ["engineering"], name: "ci*", secretsTo: secrets }
        const old = (yield* keysNamed("engineering", "ci")).filter((k) =>
          !k.disabled && (k.expiresAt == null || Date.parse(k.expiresAt) > Date.now())
        )
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

        const report = yield* KeyRotation.apply(spec, { ...fast, jobId: "rotate-ci" }).pipe(withJournal(journal))
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
        const waiting = yield* KeyRotation.apply(spec, { ...fast, jobId: "rotate-ci" }).pipe(withJournal(journal))
        expect(yield* changing).toEqual([])
        const waits = waiting.items.filter((i) => i.outcome === "waiting")
        expect(waits.map((i) => i.key).sort()).toEqual(old.map((k) => k.hash).sort())
        expect(waits[0]!.reason).toMatch(/^its grace ends \d{4}-\d\d-\d\dT/)
        expect(waiting.items.filter((i) => i.outcome === "already-done")).toHaveLength(old.length)
        // the counts a person reads add up: every key is in a line
        expect(Counts.lines(waiting.items).join("\n")).toContain(`${old.length} waiting (not due yet)`)
        // a dry run with the job id shows the same
        const again = yield* KeyRotation.plan(spec, { ...fast, jobId: "rotate-ci" }).pipe(withJournal(journal))
        expect(again.keys).toEqual([])
        expect(again.pending).toHaveLength(old.length)
        expect(KeyRotation.describe(again).filter((l) => l.includes("= waiting"))).toHaveLength(old.length)

        // the grace passes: phase two disables exactly the old keys
        yield* TestClock.adjust("1 day")
        const retired = yield* KeyRotation.apply(spec, { ...fast, jobId: "rotate-ci" }).pipe(withJournal(journal))
        expect(retired.failed).toEqual([])
        expect(retired.items.filter((i) => i.outcome === "done" && i.action.startsWith("disable old"))).toHaveLength(old.length)
        for (const key of old) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(true)
        for (const key of made) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
        expect(lines(secrets)).toHaveLength(old.length)

        // and then nothing more, ever
        yield* sim.clearRequests
        yield* TestClock.adjust("30 days")
        const after = yield* KeyRotation.apply(spec, { ...fast, jobId: "rotate-ci" }).pipe(withJournal(journal))
        expect(after.failed).toEqual([])
        expect(yield* changing).toEqual([])
        expect(yield* keysNamed("engineering", "ci-rotated")).toHaveLength(old.length)
      }).pipe(Effect.provide(services)),
    60_000
  )

  it.scoped("deleteOld deletes the old keys after the grace; an old key deleted meanwhile is already done", () =>
    Effect.gen(function*() {
      yield* startNow
      const sim = yield* Simulator
      const keys = yield* Keys
      const dir = scratch()
      const journal = join(dir, "journal.sqlite")
      const spec = { workspaces: ["research"], name: "prod", grace: "1h", deleteOld: true, secretsTo: join(dir, "s.jsonl") }
      const first = yield* KeyRotation.apply(spec, { ...fast, jobId: "r" }).pipe(withJournal(journal))
      const rotated = first.items.filter((i) => i.outcome === "done").map((i) => i.key)
      expect(rotated.length).toBeGreaterThan(1)
      yield* keys.delete({ hash: rotated[0]! })
      yield* TestClock.adjust("61 minutes")
      const second = yield* KeyRotation.apply(spec, { ...fast, jobId: "r" }).pipe(withJournal(journal))
      expect(second.failed).toEqual([])
      const retire = second.items.filter((i) => i.action.startsWith("delete old"))
      expect(retire.find((i) => i.key === rotated[0])!.outcome).toBe("already-done")
      expect(retire.filter((i) => i.outcome === "done")).toHaveLength(rotated.length - 1)
      for (const hash of rotated) expect(sim.state.apiKeys().some((k) => k.hash === hash)).toBe(false)
    }).pipe(Effect.provide(services)), 60_000)

  it.scoped(
    "a failing secrets command: the new key disabled, the old untouched, the reason reported; the next run replaces the undelivered key",
    () =>
      Effect.gen(function*() {
        yield* startNow
        const sim = yield* Simulator
        const dir = scratch()
        const journal = join(dir, "journal.sqlite")
        const unsealed = join(dir, "unsealed")
        const out = join(dir, "store")
        // as a credential helper: the secret on stdin, the names in the environment
        const command = `test -f ${unsealed} || { echo "vault is sealed" >&2; exit 3; }; ` +
          `printf '%s %s %s %s\\n' "$OPENROUTER_OLD_KEY_HASH" "$OPENROUTER_KEY_HASH" "$OPENROUTER_KEY_NAME" "$(cat)" >> ${out}`
        const spec = { workspaces: ["engineering"], name: "staging", secretsCommand: command }
        const old = (yield* keysNamed("engineering", "staging")).filter((k) => !k.disabled)
        const report = yield* KeyRotation.apply(spec, { ...fast, jobId: "sealed" }).pipe(withJournal(journal))
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
        const retry = yield* KeyRotation.apply(spec, { ...fast, jobId: "sealed" }).pipe(withJournal(journal))
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
      }).pipe(Effect.provide(services)),
    60_000
  )

  it.scoped(
    "a run that dies after the create answered (secret never delivered): the next run deletes that key and makes a fresh one",
    () =>
      Effect.gen(function*() {
        yield* startNow
        const sim = yield* Simulator
        const dir = scratch()
        const journal = join(dir, "journal.sqlite")
        const { key, newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: join(dir, "s.jsonl") }
        // the process "dies" in the sink: no cleanup of any kind runs
        const dying: SecretSink.SecretSink = { describe: "a dying sink", check: Effect.void, deliver: () => Effect.die("killed") }
        const exit = yield* Effect.exit(KeyRotation.apply(spec, { ...fast, jobId: "dies", sink: dying }).pipe(withJournal(journal)))
        expect(exit._tag).toBe("Failure")
        const orphan = yield* keysNamed("engineering", newName)
        expect(orphan).toHaveLength(1)
        expect(orphan[0]!.disabled).toBe(false)

        const next = yield* KeyRotation.apply(spec, { ...fast, jobId: "dies" }).pipe(withJournal(journal))
        expect(next.failed).toEqual([])
        expect(next.items[0]!.reason).toContain(`deleted ${orphan[0]!.label}, made by an earlier attempt whose secret was never delivered`)
        const now = yield* keysNamed("engineering", newName)
        expect(now).toHaveLength(1)
        expect(now[0]!.hash).not.toBe(orphan[0]!.hash)
        expect(lines(spec.secretsTo).map((l) => l.newHash)).toEqual([now[0]!.hash])
        expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
      }).pipe(Effect.provide(services)),
    60_000
  )

  it.scoped(
    "a run that dies after writing the secrets file but before the journal says so: the next run finds the line and makes nothing",
    () =>
      Effect.gen(function*() {
        yield* startNow
        const sim = yield* Simulator
        const dir = scratch()
        const journal = join(dir, "journal.sqlite")
        const { newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: join(dir, "s.jsonl") }
        const file = SecretSink.file(spec.secretsTo)
        const diesAfter: SecretSink.SecretSink = { ...file, deliver: (d) => Effect.zipRight(file.deliver(d), Effect.die("killed")) }
        yield* Effect.exit(KeyRotation.apply(spec, { ...fast, jobId: "late", sink: diesAfter }).pipe(withJournal(journal)))
        const made = yield* keysNamed("engineering", newName)
        expect(made).toHaveLength(1)
        yield* sim.clearRequests
        const next = yield* KeyRotation.apply(spec, { ...fast, jobId: "late" }).pipe(withJournal(journal))
        expect(next.failed).toEqual([])
        expect(next.items[0]!.reason).toContain("by a run that stopped before recording it")
        expect(yield* changing).toEqual([])
        expect((yield* keysNamed("engineering", newName)).map((k) => [k.hash, k.disabled])).toEqual([[made[0]!.hash, false]])
        expect(lines(spec.secretsTo)).toHaveLength(1)
      }).pipe(Effect.provide(services)),
    60_000
  )

  it.scoped("interrupted while delivering: the new key is disabled at once and the journal says so", () =>
    Effect.gen(function*() {
      yield* startNow
      const dir = scratch()
      const journal = join(dir, "journal.sqlite")
      const { newName, selection } = yield* oneKey
      const spec = { ...selection, secretsTo: join(dir, "s.jsonl") }
      const stuck: SecretSink.SecretSink = { describe: "a stuck sink", check: Effect.void, deliver: () => Effect.interrupt }
      const exit = yield* Effect.exit(KeyRotation.apply(spec, { ...fast, jobId: "int", sink: stuck }).pipe(withJournal(journal)))
      expect(exit._tag).toBe("Failure")
      const made = yield* keysNamed("engineering", newName)
      expect(made.map((k) => k.disabled)).toEqual([true])
      const entries = yield* Effect.flatMap(Journal.Journal, (j) => j.entries("int")).pipe(withJournal(journal))
      const entry = [...entries.values()].find((e) => e.key.startsWith("rotate:"))!
      expect((entry.result as any).record).toMatchObject({
        stage: "undelivered",
        newHash: made[0]!.hash,
        reason: "interrupted while delivering the secret"
      })
    }).pipe(Effect.provide(services)), 60_000)

  it.scoped(
    "a create whose answer is lost is not replayed blindly: the next run finds the key it made, deletes it, makes a fresh one",
    () =>
      Effect.gen(function*() {
        yield* startNow
        const sim = yield* Simulator
        const dir = scratch()
        const journal = join(dir, "journal.sqlite")
        const { newName, selection } = yield* oneKey
        const spec = { ...selection, secretsTo: join(dir, "s.jsonl") }
        yield* sim.inject({ method: "POST", path: "/keys", drop: true, after: "handle" })
        const first = yield* KeyRotation.apply(spec, { ...fast, jobId: "lost" }).pipe(withJournal(journal))
        expect(first.failed).toHaveLength(1)
        expect(first.failed[0]!.reason).toContain("the API did not say whether it made the new key")
        expect((yield* changing).filter((r) => r.method === "POST")).toHaveLength(1)
        const lost = yield* keysNamed("engineering", newName)
        expect(lost).toHaveLength(1)

        const next = yield* KeyRotation.apply(spec, { ...fast, jobId: "lost" }).pipe(withJournal(journal))
        expect(next.failed).toEqual([])
        const now = yield* keysNamed("engineering", newName)
        expect(now).toHaveLength(1)
        expect(now[0]!.hash).not.toBe(lost[0]!.hash)
        expect(lines(spec.secretsTo).map((l) => l.newHash)).toEqual([now[0]!.hash])
      }).pipe(Effect.provide(services)),
    60_000
  )

  it.scoped("an empty or contradictory selection is refused before any request; no sink, nothing is created", () =>
    Effect.gen(function*() {
      yield* startNow
      const issue = (input: unknown) => Effect.map(Effect.flip(KeyRotation.plan(input, fast)), (e) => (e as { issue: string }).issue)
      expect(yield* issue({ workspaces: ["engineering"] })).toContain("no criterion given: this would rotate every key")
      expect(yield* issue({ workspaces: [], name: "ci" })).toContain("give at least one workspace")
      expect(yield* issue({ workspaces: ["engineering"], name: "ci", secretsTo: "a", secretsCommand: "b" })).toContain("not both")
      expect(yield* issue({ workspaces: ["engineering"], olderThan: "soon" })).toContain("is not a positive age")
      expect(yield* changing).toEqual([])
      const dir = scratch()
      const noSink = yield* Effect.flip(
        KeyRotation.apply({ workspaces: ["engineering"], name: "ci" }, { ...fast, jobId: "x" }).pipe(withJournal(join(dir, "j.sqlite")))
      )
      expect((noSink as { issue: string }).issue).toContain("no place for their secrets")
      // a secrets file others can read is refused
      const open = join(dir, "world-readable.jsonl")
      writeFileSync(open, "", { mode: 0o644 })
      const unsafe = yield* Effect.flip(
        KeyRotation.apply({ workspaces: ["engineering"], name: "ci", secretsTo: open }, { ...fast, jobId: "y" }).pipe(
          withJournal(join(dir, "j.sqlite"))
        )
      )
      expect((unsafe as { issue: string }).issue).toContain("other users may read it (mode 644)")
      expect(yield* changing).toEqual([])
    }).pipe(Effect.provide(services)), 60_000)

  it.scoped("olderThan and expiringWithin judge at the Clock's now; expired and disabled keys are never rotated", () =>
    Effect.gen(function*() {
      yield* startNow
      const sim = yield* Simulator
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
    }).pipe(Effect.provide(services)), 60_000)
})
