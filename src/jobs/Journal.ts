/**
 * The job journal: an embedded SQLite database recording each job's kind and spec, when it started,
 * where it stopped, and every operation it planned and completed. A re-run with the same job id
 * re-plans from the server; the journal tells what was in flight and what to report as already done.
 * It never stores the API key (specs are the job's own inputs, and no request is recorded).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Context, Effect, Layer, Option } from "effect"
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"

export type OperationStatus = "planned" | "in-flight" | "done" | "failed"
export type JobStatus = "running" | "interrupted" | "finished"

export interface JournalEntry {
  readonly key: string
  readonly status: OperationStatus
  readonly result: unknown
}

/** A job as recorded: its spec (encoded), when it started and where it stopped. */
export interface JobRecord {
  readonly id: string
  readonly kind: string
  readonly spec: unknown
  readonly createdAt: string
  readonly updatedAt: string
  readonly finishedAt: string | undefined
  /** "running" while a run is going (or was killed), "interrupted" after a signal, "finished". */
  readonly status: JobStatus
  /** Operations by status: planned, in-flight, done, failed. */
  readonly operations: Readonly<Record<string, number>>
}

export interface JournalService {
  readonly path: string
  /** Register a job; when it already exists (a resume), its record instead. */
  readonly begin: (jobId: string, kind: string, spec: unknown) => Effect.Effect<Option.Option<JobRecord>>
  /** Record planned operations that are not recorded yet. */
  readonly plan: (jobId: string, operations: ReadonlyArray<{ key: string; payload: unknown }>) => Effect.Effect<void>
  readonly entries: (jobId: string) => Effect.Effect<ReadonlyMap<string, JournalEntry>>
  readonly mark: (jobId: string, key: string, status: OperationStatus, result?: unknown) => Effect.Effect<void>
  /** Record where a run stopped. */
  readonly finish: (jobId: string, status: Exclude<JobStatus, "running">) => Effect.Effect<void>
  /** Every job, newest first. */
  readonly list: () => Effect.Effect<ReadonlyArray<JobRecord>>
  readonly get: (jobId: string) => Effect.Effect<Option.Option<JobRecord>>
}

export class Journal extends Context.Tag("openrouter-effect/Journal")<Journal, JournalService>() {}

/** Default: `.openrouter-effect/journal.sqlite` under the working directory. */
export const defaultPath = () => resolve(".openrouter-effect", "journal.sqlite")

interface JobRow {
  id: string
  kind: string
  params: string
  created_at: string
  updated_at: string | null
  finished_at: string | null
  status: string | null
}

const make = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, finished_at TEXT)`
    // journals written by 0.1.0 lack these columns
    const columns = new Set((yield* sql<{ name: string }>`PRAGMA table_info(jobs)`).map((c) => c.name))
    if (!columns.has("status")) yield* sql`ALTER TABLE jobs ADD COLUMN status TEXT`
    if (!columns.has("updated_at")) yield* sql`ALTER TABLE jobs ADD COLUMN updated_at TEXT`
    yield* sql`CREATE TABLE IF NOT EXISTS operations (
      job_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
      result TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (job_id, key))`
    const now = () => new Date().toISOString()
    const orDie = <A, E>(effect: Effect.Effect<A, E>) => Effect.orDie(effect)

    const counts = (jobId: string) =>
      Effect.map(
        sql<{ status: string; n: number }>`SELECT status, COUNT(*) AS n FROM operations WHERE job_id = ${jobId} GROUP BY status`,
        (rows) => Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
      )
    const record = (row: JobRow) =>
      Effect.map(counts(row.id), (operations): JobRecord => ({
        id: row.id,
        kind: row.kind,
        spec: JSON.parse(row.params),
        createdAt: row.created_at,
        updatedAt: row.updated_at ?? row.created_at,
        finishedAt: row.finished_at ?? undefined,
        status: (row.status as JobStatus | null) ?? (row.finished_at ? "finished" : "running"),
        operations
      }))
    const get = (jobId: string) =>
      orDie(Effect.flatMap(
        sql<JobRow>`SELECT * FROM jobs WHERE id = ${jobId}`,
        (rows) => rows.length === 0 ? Effect.succeedNone : Effect.asSome(record(rows[0]!))
      ))

    const service: JournalService = {
      path,
      begin: (jobId, kind, spec) =>
        Effect.gen(function*() {
          const existing = yield* get(jobId)
          const at = now()
          if (Option.isSome(existing)) {
            yield* orDie(sql`UPDATE jobs SET status = 'running', updated_at = ${at} WHERE id = ${jobId}`)
          } else {
            yield* orDie(sql`INSERT INTO jobs (id, kind, params, created_at, updated_at, status)
              VALUES (${jobId}, ${kind}, ${JSON.stringify(spec)}, ${at}, ${at}, 'running')`)
          }
          return existing
        }),
      plan: (jobId, operations) =>
        orDie(sql.withTransaction(Effect.forEach(operations, ({ key, payload }) =>
          sql`INSERT INTO operations (job_id, key, payload, status, updated_at)
              VALUES (${jobId}, ${key}, ${JSON.stringify(payload)}, 'planned', ${now()})
              ON CONFLICT (job_id, key) DO UPDATE SET payload = excluded.payload,
                status = CASE WHEN operations.status = 'done' THEN 'done' ELSE 'planned' END`, { discard: true }))),
      entries: (jobId) =>
        orDie(Effect.map(
          sql<{ key: string; status: OperationStatus; result: string | null }>`
            SELECT key, status, result FROM operations WHERE job_id = ${jobId}`,
          (rows) =>
            new Map(rows.map((row) => [row.key, {
              key: row.key,
              status: row.status,
              result: row.result === null ? null : JSON.parse(row.result)
            }]))
        )),
      mark: (jobId, key, status, result) =>
        orDie(sql`INSERT INTO operations (job_id, key, payload, status, result, updated_at)
            VALUES (${jobId}, ${key}, '{}', ${status}, ${result === undefined ? null : JSON.stringify(result)}, ${now()})
            ON CONFLICT (job_id, key) DO UPDATE SET status = excluded.status,
              result = COALESCE(excluded.result, operations.result), updated_at = excluded.updated_at`),
      finish: (jobId, status) =>
        orDie(
          status === "finished"
            ? sql`UPDATE jobs SET status = ${status}, finished_at = ${now()}, updated_at = ${now()} WHERE id = ${jobId}`
            : sql`UPDATE jobs SET status = ${status}, updated_at = ${now()} WHERE id = ${jobId}`
        ),
      list: () => orDie(Effect.flatMap(sql<JobRow>`SELECT * FROM jobs ORDER BY created_at DESC, id`, (rows) => Effect.forEach(rows, record))),
      get
    }
    return service
  })

/** The journal at `path` (default {@link defaultPath}); the directory is created if needed. */
export const layer = (path: string = defaultPath()): Layer.Layer<Journal> =>
  Layer.effect(Journal, make(path)).pipe(
    Layer.provide(Layer.suspend(() => {
      mkdirSync(dirname(path), { recursive: true })
      return SqliteClient.layer({ filename: path })
    })),
    Layer.orDie
  )
