/**
 * The SQLite journal: migrations (from empty, from a 0.1.0 journal, from a 0.1.x journal without a
 * migrations table), and faults that speak — an unwritable directory, a read-only file, a file of
 * garbage, a truncated journal — each a JournalError naming the file and what to do, never a defect.
 * The faults run in a child process as an unprivileged user: root ignores file modes.
 */
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { execFile } from "node:child_process"
import { chmodSync, chownSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Journal } from "../src/jobs/index.ts"

const probeScript = resolve("test/fixtures/journal-probe.mjs")
const nobody = 65534

/** A temporary directory everyone may enter (the probe runs as nobody). */
const tempDir = (mode = 0o777) => {
  const dir = mkdtempSync(join(tmpdir(), "journal-faults-"))
  chmodSync(dir, mode)
  return dir
}

/** Open and write the journal at `target` as an unprivileged user; what the library answered. */
const probe = (target: string) =>
  new Promise<{ ok?: boolean; error?: { _tag: string; message: string; target?: string; reason?: string; hint?: string } }>(
    (resolvePromise, reject) => {
      const asRoot = process.getuid?.() === 0
      const [command, args] = asRoot
        ? ["setpriv", [`--reuid=${nobody}`, `--regid=${nobody}`, "--clear-groups", process.execPath, probeScript, target]]
        : [process.execPath, [probeScript, target]]
      execFile(command as string, args as Array<string>, { encoding: "utf8", env: { ...process.env, HOME: tmpdir() } }, (error, out, err) => {
        if (error) return reject(new Error(`${error.message}\n${err}`))
        resolvePromise(JSON.parse(out.trim().split("\n").at(-1)!))
      })
    }
  )

/** A journal with a few jobs, written by the library (as root: the test's own user). */
const writtenJournal = (path: string, jobs = 3) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const journal = yield* Journal.Journal
      for (let i = 0; i < jobs; i++) {
        const lease = yield* journal.acquire({
          jobId: `job-${i}`,
          kind: "onboarding",
          spec: { users: ["u"], workspaces: ["w"] },
          owner: { host: "h", pid: 1 },
          ttl: "30 seconds"
        })
        yield* journal.plan(`job-${i}`, Array.from({ length: 200 }, (_, k) => ({ key: `op-${k}`, payload: { padding: "x".repeat(200) } })))
        yield* journal.release(lease, "finished")
      }
    }).pipe(Effect.provide(Journal.layerSqlite(path)))
  )

describe.concurrent("journal faults speak (as an unprivileged user)", () => {
  it("a directory it cannot write: a JournalError naming the file and what to do", async () => {
    const dir = tempDir(0o755) // root's, not writable by nobody
    const file = join(dir, "journal.sqlite")
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain(`${dir} is not writable`)
    expect(error!.hint).toMatch(/writable|another journal/)
    expect(error!.message).toContain(file)
  })

  it("a directory it cannot create", async () => {
    const dir = tempDir(0o755)
    const file = join(dir, "sub", "deeper", "journal.sqlite")
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain("cannot be created")
  })

  it("a read-only journal file", async () => {
    const dir = tempDir()
    const file = join(dir, "journal.sqlite")
    await writtenJournal(file)
    chmodSync(file, 0o644) // root's: read-only for nobody
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain("read-only")
    expect(error!.hint).toContain("chmod")
  })

  it("a writable file in a read-only directory (SQLite needs its lock files beside it)", async () => {
    const dir = tempDir()
    const file = join(dir, "journal.sqlite")
    await writtenJournal(file)
    chownSync(file, nobody, nobody)
    chmodSync(dir, 0o755)
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain("is not writable")
  })

  it("a file of garbage", async () => {
    const dir = tempDir()
    const file = join(dir, "journal.sqlite")
    writeFileSync(file, "this is not a database, just a text file someone saved here\n".repeat(50))
    chownSync(file, nobody, nobody)
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain("not a journal")
    expect(readFileSync(file, "utf8")).toContain("just a text file") // left alone
  })

  it("a truncated journal", async () => {
    const dir = tempDir()
    const file = join(dir, "journal.sqlite")
    await writtenJournal(file, 5)
    truncateSync(file, Math.floor(statSync(file).size / 2))
    chownSync(file, nobody, nobody)
    const { error } = await probe(file)
    expect(error).toMatchObject({ _tag: "JournalError", target: file })
    expect(error!.reason).toContain("damaged")
    expect(error!.hint).toContain("backup")
  })

  it("a healthy journal works for the same user (the probe itself is sound)", async () => {
    const dir = tempDir()
    expect(await probe(join(dir, "journal.sqlite"))).toEqual({ ok: true })
  })
})

describe("journal migrations (SQLite)", () => {
  /** Run raw SQL on a journal file, as another program (or an old version) would. */
  const raw = <A extends object = object>(file: string, statements: string) =>
    Effect.gen(function*() {
      const sql = yield* SqliteClient.SqliteClient
      let last: ReadonlyArray<A> = []
      for (const statement of statements.split(";").map((s) => s.trim()).filter(Boolean)) last = yield* sql.unsafe<A>(statement)
      return last
    }).pipe(Effect.provide(SqliteClient.layer({ filename: file })), Effect.orDie)
  const columns = (file: string) =>
    Effect.all({
      jobs: Effect.map(raw<{ name: string }>(file, "SELECT name FROM pragma_table_info('jobs')"), (rows) => rows.map((c) => c.name)),
      migrations: raw<{ migration_id: number; name: string }>(file, "SELECT migration_id, name FROM journal_migrations ORDER BY migration_id")
    })

  it.effect("a 0.1.0 journal (no status, no updated_at, no migrations table) migrates and keeps its jobs", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = join(dir, "journal.sqlite")
      yield* raw(
        file,
        `CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT);
        CREATE TABLE operations (job_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
          result TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (job_id, key));
        INSERT INTO jobs VALUES ('old-done', 'onboarding', '{"users":["u"],"workspaces":["w"]}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:01:00.000Z');
        INSERT INTO jobs VALUES ('old-killed', 'file-cleanup', '{"all":true}', '2025-01-02T00:00:00.000Z', NULL);
        INSERT INTO operations VALUES ('old-killed', 'delete:f1', '{}', 'in-flight', NULL, '2025-01-02T00:00:01.000Z')`
      )
      const jobs = yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(Journal.layerSqlite(file)))
      expect(jobs.map((j) => [j.id, j.status])).toEqual([["old-killed", "stopped"], ["old-done", "finished"]])
      expect(jobs[0]!.operations).toEqual({ "in-flight": 1 })
      const after = yield* columns(file)
      expect(after.jobs).toEqual(expect.arrayContaining(["status", "updated_at", "lease_token", "lease_expires_at"]))
      expect(after.migrations.map((m) => m.migration_id)).toEqual([1, 2, 3])
      // and a killed 0.1.0 job resumes: its lease is free to take
      const lease = yield* Effect.flatMap(Journal.Journal, (j) =>
        j.acquire({ jobId: "old-killed", kind: "file-cleanup", spec: { all: true }, owner: { host: "h", pid: 1 }, ttl: "1 minute" })).pipe(
          Effect.provide(Journal.layerSqlite(file))
        )
      expect(Option.getOrThrow(lease.previous).status).toBe("stopped")
    }))

  it.effect("a 0.1.x journal (status columns added ad hoc, no migrations table) migrates", () =>
    Effect.gen(function*() {
      const file = join(tempDir(), "journal.sqlite")
      yield* raw(
        file,
        `CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL, created_at TEXT NOT NULL, finished_at TEXT, status TEXT, updated_at TEXT);
        CREATE TABLE operations (job_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
          result TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (job_id, key));
        INSERT INTO jobs VALUES ('cut', 'onboarding', '{}', '2025-01-01T00:00:00.000Z', NULL, 'interrupted', '2025-01-01T00:02:00.000Z')`
      )
      const jobs = yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(Journal.layerSqlite(file)))
      expect(jobs.map((j) => [j.id, j.status, j.updatedAt])).toEqual([["cut", "interrupted", "2025-01-01T00:02:00.000Z"]])
      expect((yield* columns(file)).migrations.map((m) => m.name)).toEqual(["jobs_and_operations", "job_status", "job_lease"])
    }))

  it.effect("from empty, then opened again: migrated once", () =>
    Effect.gen(function*() {
      const file = join(tempDir(), "fresh", "journal.sqlite")
      yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(Journal.layerSqlite(file)))
      yield* Effect.flatMap(Journal.Journal, (j) => j.list()).pipe(Effect.provide(Journal.layerSqlite(file)))
      expect((yield* columns(file)).migrations).toHaveLength(3)
    }))

  it("layerFor: a path is an SQLite file, a postgres:// URL is PostgreSQL, shown without its password", () => {
    expect(Journal.isPgUrl("postgres://u:p@h/db")).toBe(true)
    expect(Journal.isPgUrl("postgresql://h/db")).toBe(true)
    expect(Journal.isPgUrl("./postgres/journal.sqlite")).toBe(false)
    expect(Journal.displayUrl("postgres://ops:s3cret@db.internal:5432/jobs")).toBe("postgres://ops@db.internal:5432/jobs")
    expect(Journal.displayUrl("postgres://db.internal/jobs?password=s3cret")).not.toContain("s3cret")
  })
})
