/**
 * One runner per job, in the library, on the TestClock: a second runner is refused (or waits), a lease
 * is renewed while its run goes on, a lease left to expire is taken over and said so, a runner that
 * lost its lease sends nothing more, and nothing stays in flight once a run ends. Also the resume
 * check (a refused resume leaves the journal as it was), options checked at the job's entry, and a
 * report's duration that covers its plan. The jobs here are synthetic: the engine is under test.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Either, Fiber, Option, PubSub, Queue, Ref, Schema, TestClock } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { Engine, Journal, Specs } from "../src/jobs/index.ts"

const journalLayer = () => Journal.layerSqlite(join(mkdtempSync(join(tmpdir(), "lease-")), "journal.sqlite"))

const spec = new Specs.OnboardingSpec({ users: ["user_a", "user_b"], workspaces: ["team"] })
const alpha = { host: "alpha", pid: 101 }
const beta = { host: "beta", pid: 202 }

/** A job of two operations that record what they "sent"; each waits for `hold` first, if given. */
const syntheticJob = (sent: Ref.Ref<ReadonlyArray<string>>, hold?: Deferred.Deferred<void>): Engine.PlannedJob => ({
  kind: "onboarding",
  spec,
  unit: "users",
  operations: ["op-1", "op-2"].map((key) => ({
    key,
    payload: { key },
    items: 1,
    run: Effect.gen(function*() {
      if (hold) yield* Deferred.await(hold)
      yield* Ref.update(sent, (all) => [...all, key])
      return [new Engine.ReportItem({ kind: "user", key, action: "add to team", outcome: "done" })]
    })
  })),
  extraItems: []
})

const run = (job: Engine.PlannedJob, options: Engine.ApplyOptions) => Engine.run(job, options).pipe(Engine.gated({}))

/** Let forked fibers run until `condition` holds (the journal is synchronous SQLite: yielding suffices). */
const until = <E, R>(condition: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if (yield* condition) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("condition never held")
  })

const statusOf = (jobId: string) => Effect.flatMap(Journal.Journal, (journal) => Effect.map(journal.get(jobId), Option.map((job) => job.status)))

const isStatus = (jobId: string, status: Journal.JobStatus) => Effect.map(statusOf(jobId), (s) => Option.getOrUndefined(s) === status)

const inFlight = (jobId: string, n: number) =>
  Effect.flatMap(Journal.Journal, (journal) => Effect.map(journal.get(jobId), (job) => Option.isSome(job) && job.value.operations["in-flight"] === n))

describe("one runner per job", () => {
  it.scoped("a second runner with the same job id fails at once, naming the holder and since when; nothing of it is sent", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const hold = yield* Deferred.make<void>()
      const first = yield* Effect.fork(run(syntheticJob(sent, hold), { jobId: "twin", owner: alpha }))
      yield* until(inFlight("twin", 2))

      const journal = yield* Journal.Journal
      const running = Option.getOrThrow(yield* journal.get("twin"))
      expect(running.holder).toMatchObject({ host: "alpha", pid: 101 })
      expect(running.operations["in-flight"]).toBe(2)

      const second = yield* Effect.either(run(syntheticJob(sent), { jobId: "twin", owner: beta }))
      expect(Either.isLeft(second) && second.left._tag).toBe("LeaseHeldError")
      const refused = (second as Either.Left<Journal.LeaseHeldError, never>).left
      expect(refused.holder).toEqual({ host: "alpha", pid: 101, startedAt: running.holder!.startedAt })
      expect(refused.message).toContain("process 101 on alpha since 1970-01-01T00:00:00.000Z")
      // checked before anything is planned as well (the engine's entry check)
      const early = yield* Effect.either(Engine.checkLease("twin"))
      expect(Either.isLeft(early) && early.left._tag).toBe("LeaseHeldError")
      expect(yield* Ref.get(sent)).toEqual([])

      yield* Deferred.succeed(hold, undefined)
      const report = yield* Fiber.join(first)
      expect(report.status).toBe("completed")
      expect([...(yield* Ref.get(sent))].sort()).toEqual(["op-1", "op-2"])
      const finished = Option.getOrThrow(yield* journal.get("twin"))
      expect(finished.status).toBe("finished")
      expect(finished.holder).toBeUndefined()
      expect(finished.operations).toEqual({ done: 2 })
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("with `wait`, the second runner waits for the first to end, then runs (and says it waited)", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const hold = yield* Deferred.make<void>()
      const first = yield* Effect.fork(run(syntheticJob(sent, hold), { jobId: "queue", owner: alpha }))
      yield* until(isStatus("queue", "running"))
      const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 100 })
      const seen = yield* PubSub.subscribe(events)
      const second = yield* Effect.fork(run(syntheticJob(sent), { jobId: "queue", owner: beta, wait: true, events }))
      const waiting = yield* Queue.take(seen)
      expect(waiting).toMatchObject({ _tag: "Waiting", jobId: "queue", holder: { host: "alpha", pid: 101 } })
      yield* TestClock.adjust("1 minute")
      expect(yield* Ref.get(sent)).toEqual([]) // still waiting: alpha renews its lease
      yield* Deferred.succeed(hold, undefined)
      yield* Fiber.join(first)
      yield* TestClock.adjust("30 seconds")
      const report = yield* Fiber.join(second)
      expect(report.status).toBe("completed")
      expect(yield* Ref.get(sent)).toHaveLength(4)
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("a running job's lease is renewed: however long it runs, a second runner is still refused", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const hold = yield* Deferred.make<void>()
      const first = yield* Effect.fork(run(syntheticJob(sent, hold), { jobId: "long", owner: alpha, lease: { ttl: "10 seconds" } }))
      yield* until(isStatus("long", "running"))
      for (let minute = 0; minute < 5; minute++) {
        for (let step = 0; step < 20; step++) yield* TestClock.adjust("3 seconds")
        const again = yield* Effect.either(run(syntheticJob(sent), { jobId: "long", owner: beta }))
        expect(Either.isLeft(again) && again.left._tag).toBe("LeaseHeldError")
      }
      yield* Deferred.succeed(hold, undefined)
      expect((yield* Fiber.join(first)).status).toBe("completed")
      expect(yield* Ref.get(sent)).toEqual(["op-1", "op-2"])
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("a lease whose holder died is taken over after it expires, and the takeover is said", () =>
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      // a runner that took the lease, marked an operation in flight, then died (never renewed)
      const dead = yield* journal.acquire({ jobId: "orphan", kind: "onboarding", spec: Specs.encode(spec), owner: alpha, ttl: "30 seconds" })
      yield* journal.plan("orphan", [{ key: "op-1", payload: {} }])
      yield* journal.mark("orphan", "op-1", "in-flight", undefined, dead)

      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const early = yield* Effect.either(run(syntheticJob(sent), { jobId: "orphan", owner: beta }))
      expect(Either.isLeft(early) && early.left._tag).toBe("LeaseHeldError")
      expect(yield* statusOf("orphan")).toEqual(Option.some("running"))

      yield* TestClock.adjust("31 seconds")
      const stopped = Option.getOrThrow(yield* journal.get("orphan"))
      expect(stopped.status).toBe("stopped")
      expect(stopped.holder).toMatchObject({ host: "alpha", pid: 101, expiresAt: "1970-01-01T00:00:30.000Z" })

      const events = yield* PubSub.unbounded<Engine.JobEvent>({ replay: 100 })
      const seen = yield* PubSub.subscribe(events)
      const report = yield* run(syntheticJob(sent), { jobId: "orphan", owner: beta, events })
      expect(report.status).toBe("completed")
      const all = yield* Queue.takeAll(seen)
      const tookOver = [...all].find((e) => e._tag === "TookOver")
      expect(tookOver).toMatchObject({ _tag: "TookOver", jobId: "orphan", previous: { host: "alpha", pid: 101 } })
      expect(Option.getOrThrow(yield* journal.get("orphan")).status).toBe("finished")

      // the dead runner, were it to wake up, can no longer record (so send) anything
      const zombie = yield* Effect.either(journal.mark("orphan", "op-2", "in-flight", undefined, dead))
      expect(Either.isLeft(zombie)).toBe(true)
      expect(Either.isLeft(yield* Effect.either(journal.renew(dead, "30 seconds")))).toBe(true)
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("a holder of this host whose process is gone (kill -9) is taken over at once: nothing to wait for", () =>
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      const gone = spawnSync(process.execPath, ["-e", "0"]).pid! // exited: its pid names no process now
      yield* journal.acquire({
        jobId: "killed",
        kind: "onboarding",
        spec: Specs.encode(spec),
        owner: { host: hostname(), pid: gone },
        ttl: "30 seconds"
      })
      expect(Option.getOrThrow(yield* journal.get("killed")).status).toBe("stopped")
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      expect((yield* run(syntheticJob(sent), { jobId: "killed", owner: beta })).status).toBe("completed")
      // a live process of this host keeps its lease
      yield* journal.acquire({
        jobId: "alive",
        kind: "onboarding",
        spec: Specs.encode(spec),
        owner: { host: hostname(), pid: process.pid },
        ttl: "30 seconds"
      })
      const refused = yield* Effect.either(run(syntheticJob(sent), { jobId: "alive", owner: beta }))
      expect(Either.isLeft(refused) && refused.left._tag).toBe("LeaseHeldError")
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("a runner whose lease was taken over stops before sending anything more", () =>
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      const first = yield* journal.acquire({ jobId: "stolen", kind: "onboarding", spec: Specs.encode(spec), owner: alpha, ttl: "10 seconds" })
      yield* TestClock.adjust("11 seconds")
      const second = yield* journal.acquire({ jobId: "stolen", kind: "onboarding", spec: Specs.encode(spec), owner: beta, ttl: "10 seconds" })
      expect(Option.getOrThrow(second.tookOver)).toMatchObject({ host: "alpha" })
      yield* journal.plan("stolen", [{ key: "op-1", payload: {} }])
      const refused = yield* Effect.either(journal.mark("stolen", "op-1", "in-flight", undefined, first))
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ _tag: "LeaseHeldError", holder: { host: "beta", pid: 202 } })
      yield* journal.mark("stolen", "op-1", "in-flight", undefined, second)
      expect(Option.getOrThrow(yield* journal.get("stolen")).operations).toEqual({ "in-flight": 1 })
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("the lease TTL comes from OPENROUTER_JOURNAL_LEASE_TTL when the options give none", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const hold = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        run(syntheticJob(sent, hold), { jobId: "short", owner: alpha }).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OPENROUTER_JOURNAL_LEASE_TTL", "2 seconds"]])))
        )
      )
      yield* until(isStatus("short", "running"))
      const holder = Option.getOrThrow(yield* Effect.flatMap(Journal.Journal, (j) => j.get("short"))).holder!
      expect(Date.parse(holder.expiresAt) - Date.parse(holder.renewedAt)).toBe(2000)
      yield* Fiber.interrupt(fiber)
      const bad = yield* Effect.either(
        run(syntheticJob(sent), { jobId: "bad-ttl" }).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OPENROUTER_JOURNAL_LEASE_TTL", "soon"]])))
        )
      )
      expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidRequestError")
    }).pipe(Effect.provide(journalLayer())))

  it.scoped("an interrupted run says so, releases its lease and leaves nothing in flight", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const hold = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(run(syntheticJob(sent, hold), { jobId: "cut", owner: alpha }))
      yield* until(isStatus("cut", "running"))
      yield* Fiber.interrupt(fiber)
      const job = Option.getOrThrow(yield* Effect.flatMap(Journal.Journal, (j) => j.get("cut")))
      expect(job.status).toBe("interrupted")
      expect(job.holder).toBeUndefined()
      expect(job.operations).toEqual({ planned: 2 })
      // and it resumes at once: no lease is left to wait out
      expect((yield* run(syntheticJob(sent), { jobId: "cut", owner: beta })).status).toBe("completed")
    }).pipe(Effect.provide(journalLayer())))
})

describe("the resume check", () => {
  it.scoped("a resume with another spec or kind is a typed error, and the journal stays exactly as it was", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      yield* run(syntheticJob(sent), { jobId: "done-job" })
      const journal = yield* Journal.Journal
      const before = yield* journal.get("done-job")
      yield* TestClock.adjust("1 hour")
      const other = new Specs.OnboardingSpec({ users: ["user_a"], workspaces: ["other"] })
      const refused = yield* Effect.either(run({ ...syntheticJob(sent), spec: other }, { jobId: "done-job" }))
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ _tag: "ResumeConflictError", jobId: "done-job", savedKind: "onboarding" })
      const conflict = (refused as Either.Left<Engine.ResumeConflictError, never>).left
      expect(conflict.differences.join("\n")).toContain("workspaces")
      expect(conflict.message).not.toContain("--")
      const wrongKind = yield* Effect.either(run({ ...syntheticJob(sent), kind: "offboarding" }, { jobId: "done-job" }))
      expect(Either.isLeft(wrongKind) && wrongKind.left).toMatchObject({ _tag: "ResumeConflictError", savedKind: "onboarding", kind: "offboarding" })
      // the same check, alone, for callers refusing before they plan
      const early = yield* Effect.either(Engine.checkResume("done-job", "onboarding", other))
      expect(Either.isLeft(early) && early.left._tag).toBe("ResumeConflictError")
      expect(Option.isSome(yield* Engine.checkResume("done-job", "onboarding", spec))).toBe(true)
      expect(Option.isNone(yield* Engine.checkResume("new-job", "onboarding", other))).toBe(true)
      expect(yield* journal.get("done-job")).toEqual(before)
      expect(Option.getOrThrow(before).status).toBe("finished")
      expect(yield* Ref.get(sent)).toHaveLength(2)
    }).pipe(Effect.provide(journalLayer())))
})

describe("a job's entry", () => {
  class Plan extends Schema.TaggedClass<Plan>()("SyntheticPlan", { n: Schema.Number }) {}
  const synthetic = (sent: Ref.Ref<ReadonlyArray<string>>, planned: Ref.Ref<number>) =>
    Engine.applyJob({
      kind: "onboarding",
      planSchema: Plan,
      // a plan that reads for 5 seconds
      plan: () => Effect.zipRight(Effect.zipRight(Ref.update(planned, (n) => n + 1), Effect.sleep("5 seconds")), Effect.succeed(new Plan({ n: 2 }))),
      recheck: (saved) => Effect.succeed({ plan: saved, stale: [] }),
      execute: (_plan, _stale, options) => Engine.run(syntheticJob(sent), options)
    })

  it.scoped("options are checked once, before anything is read; a report's duration covers its plan", () =>
    Effect.gen(function*() {
      const sent = yield* Ref.make<ReadonlyArray<string>>([])
      const planned = yield* Ref.make(0)
      for (const options of [{ concurrency: 0 }, { rate: 0.5 }, { concurrency: Number.NaN }]) {
        const refused = yield* Effect.either(synthetic(sent, planned)({}, options))
        expect(Either.isLeft(refused) && refused.left._tag).toBe("InvalidRequestError")
      }
      expect(yield* Ref.get(planned)).toBe(0)
      const fiber = yield* Effect.fork(synthetic(sent, planned)({}, { jobId: "timed" }))
      yield* TestClock.adjust("5 seconds")
      const report = yield* Fiber.join(fiber)
      expect(report.durationMs).toBeGreaterThanOrEqual(5000)
    }).pipe(Effect.provide(journalLayer())))
})
