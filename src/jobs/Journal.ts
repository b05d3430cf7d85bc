/**
 * The job journal: an embedded SQLite database recording each job's parameters and every operation
 * it planned and completed, so a re-run with the same job id resumes without doing anything twice.
 * It never stores the API key (parameters are the job's own inputs, and no request is recorded).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Context, Effect, Layer } from "effect"
import { mkdirSync } from "node:fs"
import { dirname, resolve } from "node:path"

export type OperationStatus = "planned" | "in-flight" | "done" | "failed"

export interface JournalEntry {
  readonly key: string
  readonly status: OperationStatus
  readonly result: unknown
}

export interface JournalService {
  readonly path: string
  /** Register a job (idempotent); true when it already existed (a resume). */
  readonly begin: (jobId: string, kind: string, params: unknown) => Effect.Effect<boolean>
  /** Record planned operations that are not recorded yet. */
  readonly plan: (jobId: string, operations: ReadonlyArray<{ key: string; payload: unknown }>) => Effect.Effect<void>
  readonly entries: (jobId: string) => Effect.Effect<ReadonlyMap<string, JournalEntry>>
  readonly mark: (jobId: string, key: string, status: OperationStatus, result?: unknown) => Effect.Effect<void>
  readonly finish: (jobId: string) => Effect.Effect<void>
}

export class Journal extends Context.Tag("openrouter-effect/Journal")<Journal, JournalService>() {}

/** Default: `.openrouter-effect/journal.sqlite` under the working directory. */
export const defaultPath = () => resolve(".openrouter-effect", "journal.sqlite")

const make = (path: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, finished_at TEXT)`
    yield* sql`CREATE TABLE IF NOT EXISTS operations (
      job_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
      result TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (job_id, key))`
    const now = () => new Date().toISOString()
    const orDie = <A, E>(effect: Effect.Effect<A, E>) => Effect.orDie(effect)

    const service: JournalService = {
      path,
      begin: (jobId, kind, params) =>
        orDie(Effect.gen(function*() {
          const existing = yield* sql<{ id: string }>`SELECT id FROM jobs WHERE id = ${jobId}`
          if (existing.length > 0) return true
          yield* sql`INSERT INTO jobs (id, kind, params, created_at) VALUES (${jobId}, ${kind}, ${
            JSON.stringify(params)
          }, ${now()})`
          return false
        })),
      plan: (jobId, operations) =>
        orDie(sql.withTransaction(Effect.forEach(operations, ({ key, payload }) =>
          sql`INSERT OR IGNORE INTO operations (job_id, key, payload, status, updated_at)
              VALUES (${jobId}, ${key}, ${JSON.stringify(payload)}, 'planned', ${now()})`, { discard: true }))),
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
      finish: (jobId) => orDie(sql`UPDATE jobs SET finished_at = ${now()} WHERE id = ${jobId}`)
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
