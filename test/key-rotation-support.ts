/**
 * What the key-rotation tests share: the simulator and services, its keys by name, the secrets file's
 * lines, and the takeover scenario run over any journal backend (two runners, each with a journal
 * connection of its own, as two machines).
 */
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { expect } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Journal, KeyRotation, SecretSink } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import { Simulator } from "../src/simulator/index.ts"
import { clientLayer, servicesLayer } from "./support.ts"

export const services = Layer.mergeAll(Keys.Default, Guardrails.Default).pipe(Layer.provideMerge(servicesLayer({ seed: "rotation" })))

/** A fresh directory for a journal and a secrets file. */
export const scratch = () => mkdtempSync(join(tmpdir(), "rotation-"))

/** The gate's token bucket runs on effect's Clock: under TestClock a high rate never waits. */
export const fast = { rate: 1000 }

export const startNow = TestClock.setTime(Date.now())

export const changing = Effect.map(Effect.flatMap(Simulator, (sim) => sim.requests), (requests) => requests.filter((r) => r.method !== "GET"))

export const keysNamed = (workspaceSlug: string, name: string) =>
  Effect.map(Simulator, (sim) => {
    const workspace = sim.state.workspaces().find((w) => w.slug === workspaceSlug)!
    return sim.state.apiKeys().filter((k) => k.workspaceId === workspace.id && k.name === name)
  })

/** Enabled, unexpired keys of a workspace named `name` (what a rotation by that name selects). */
export const liveKeysNamed = (workspaceSlug: string, name: string) =>
  Effect.map(
    keysNamed(workspaceSlug, name),
    (keys) => keys.filter((k) => !k.disabled && (k.expiresAt == null || Date.parse(k.expiresAt) > Date.now()))
  )

export const lines = (path: string) =>
  readFileSync(path, "utf8").trim().split("\n").map((line) =>
    JSON.parse(line) as { oldHash: string; newHash: string; name: string; workspace: string; secret: string }
  )

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** The rotation records a job's journal holds, by old hash. */
export const recordsOf = (jobId: string) =>
  Effect.map(
    Effect.flatMap(Journal.Journal, (j) => j.entries(jobId)),
    (entries) =>
      new Map(
        [...entries.values()].filter((e) => e.key.startsWith("rotate:")).map((e) => {
          const record = (e.result as { record: KeyRotation.RotationRecord }).record
          return [record.oldHash, { status: e.status, ...record }] as const
        })
      )
  )

/** A point where a runner freezes: the `at`-th time it passes, it says so and waits for `release`. */
const freezePoint = (at: number) =>
  Effect.gen(function*() {
    const entered = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    let count = 0
    const pass = Effect.suspend(() => ++count === at ? Effect.zipRight(Deferred.succeed(entered, undefined), Deferred.await(release)) : Effect.void)
    return { pass, entered: Deferred.await(entered), release: Deferred.succeed(release, undefined) }
  })

/** `inner`, frozen at its `at`-th delivery before it delivers. */
export const freezingSink = (inner: SecretSink.SecretSink, at: number) =>
  Effect.map(freezePoint(at), (point) => ({
    ...point,
    sink: { ...inner, deliver: (delivery) => Effect.zipRight(point.pass, inner.deliver(delivery)) } satisfies SecretSink.SecretSink
  }))

/** Keys over a transport of its own (as another machine has), which passes `onCreate` once a create is answered. */
const keysWith = (onCreate: Effect.Effect<void>) =>
  Keys.Default.pipe(
    Layer.provide(clientLayer()),
    Layer.provide(Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) =>
        HttpClient.tap(client, (response) =>
          response.request.method === "POST" && new URL(response.request.url).pathname.endsWith("/keys") ? onCreate : Effect.void))
    )),
    Layer.provide(NodeHttpClient.layerUndici)
  )

/** Keys that freeze once the first create has been answered, before the runner reads the answer. */
const freezingCreates = Effect.map(freezePoint(1), (point) => ({ ...point, keys: keysWith(point.pass) }))

/**
 * Runner A freezes past its lease (10 s, never renewed in time) in its first rotation, just before
 * delivering the secret or just after the create was answered; runner B takes the job over and, while it
 * still holds it (frozen at its last delivery), A wakes up. A must stop at its next journal write
 * (LeaseHeldError naming B), record nothing more and make nothing more; B finishes: one replacement
 * per key, every one delivered and recorded; the key A made is gone (its secret was never held by the
 * sink when B looked, or A could not record it).
 */
export const takeover = (journal: () => Layer.Layer<Journal.Journal, Journal.JournalError>, frozen: "delivering" | "creating") =>
  Effect.gen(function*() {
    yield* startNow
    const sim = yield* Simulator
    const dir = scratch()
    const secrets = join(dir, "new-keys.jsonl")
    const spec = { workspaces: ["engineering"], name: "ci", secretsTo: secrets }
    const old = yield* liveKeysNamed("engineering", "ci")
    expect(old.length).toBeGreaterThan(1)
    yield* sim.clearRequests
    const file = SecretSink.file(secrets)
    // A freezes in its first rotation; B, at its last delivery, after it replaced the key A was rotating
    const a = frozen === "delivering"
      ? { ...(yield* freezingSink(file, 1)), keys: keysWith(Effect.void) }
      : { ...(yield* freezingCreates), sink: file }
    const b = yield* freezingSink(file, old.length)
    const runner = (host: string, sink: SecretSink.SecretSink) =>
      KeyRotation.apply(spec, {
        ...fast,
        jobId: "takeover",
        concurrency: 1,
        owner: { host, pid: 1 },
        lease: { ttl: "10 seconds", renewEvery: "1 hour" },
        sink
      }).pipe(Effect.provide(journal()))

    const runnerA = yield* Effect.fork(Effect.provide(runner("runner-a", a.sink), a.keys))
    yield* a.entered
    const madeByA = (yield* keysNamed("engineering", "ci-rotated")).map((k) => k.hash)
    expect(madeByA).toHaveLength(1)
    yield* TestClock.adjust("11 seconds") // A's lease expires unrenewed: A is frozen
    const runnerB = yield* Effect.fork(runner("runner-b", b.sink))
    yield* b.entered
    yield* a.release // A wakes up while B holds the job
    const exitA = yield* Fiber.await(runnerA)
    yield* b.release
    const report = yield* Fiber.join(runnerB)
    expect(Exit.isFailure(exitA)).toBe(true)
    const errorA = Exit.isFailure(exitA) ? Option.getOrUndefined(Cause.failureOption(exitA.cause)) : undefined
    expect(errorA).toMatchObject({ _tag: "LeaseHeldError", jobId: "takeover", holder: { host: "runner-b" } })
    expect(report.failed).toEqual([])

    // one replacement per key, each enabled and delivered; A made one key and nothing after it woke up
    const made = yield* keysNamed("engineering", "ci-rotated")
    expect(made).toHaveLength(old.length)
    expect(made.every((k) => !k.disabled)).toBe(true)
    expect(made.map((k) => k.hash)).not.toContain(madeByA[0])
    expect((yield* changing).filter((r) => r.method === "POST" && r.path === "/keys")).toHaveLength(old.length + 1)
    const delivered = lines(secrets)
    for (const key of made) {
      const line = delivered.find((l) => l.newHash === key.hash)!
      expect(sha256(line.secret)).toBe(key.hash)
    }
    // the journal names the replacements that exist (A's late write did not overwrite B's record)
    const records = yield* recordsOf("takeover").pipe(Effect.provide(journal()))
    for (const key of old) {
      const record = records.get(key.hash)!
      expect(record).toMatchObject({ status: "done", stage: "delivered" })
      expect(made.map((k) => k.hash)).toContain(record.newHash)
    }
    // the old keys keep working until their grace is over
    for (const key of old) expect(sim.state.apiKeys().find((k) => k.hash === key.hash)!.disabled).toBe(false)
    const job = Option.getOrThrow(yield* Effect.flatMap(Journal.Journal, (j) => j.get("takeover")).pipe(Effect.provide(journal())))
    expect(job.status).toBe("finished")
  })
