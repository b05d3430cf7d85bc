/**
 * The journal's schema, as versioned migrations run by `@effect/sql`'s Migrator for every backend
 * (SQLite and PostgreSQL alike). A journal written by 0.1.0 (a `jobs` table without `status` and
 * `updated_at`, and no migrations table) is brought up to date by the same migrations: each one
 * only adds what is missing.
 *
 * @since 0.2.0
 */
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { Effect } from "effect"

/** The table recording which migrations ran (its own name, so a shared database keeps its own). */
export const table = "journal_migrations"

const columnsOf = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      pg: () =>
        Effect.map(
          sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns
            WHERE table_name = ${table} AND table_schema = current_schema()`,
          (rows) => new Set(rows.map((r) => r.column_name))
        ),
      orElse: () => Effect.map(sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`, (rows) => new Set(rows.map((r) => r.name)))
    }))

/** Add the columns a table lacks (ALTER TABLE has no portable IF NOT EXISTS). */
const addColumns = (table: string, columns: ReadonlyArray<readonly [name: string, type: string]>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const present = yield* columnsOf(table)
    for (const [name, type] of columns) {
      if (!present.has(name)) yield* sql.unsafe(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`)
    }
  })

export const migrations: Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>> = {
  /** The 0.1.0 schema (already there in a 0.1.0 journal). */
  "1_jobs_and_operations": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
      created_at TEXT NOT NULL, finished_at TEXT)`
    yield* sql`CREATE TABLE IF NOT EXISTS operations (
      job_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
      result TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (job_id, key))`
  }),
  /** Where a run stopped (0.1.0 had only `finished_at`; 0.1.x added these without a migration). */
  "2_job_status": addColumns("jobs", [["status", "TEXT"], ["updated_at", "TEXT"]]),
  /** The lease of the runner applying a job: who (host, pid), since when, renewed when, until when (epoch ms). */
  "3_job_lease": addColumns("jobs", [
    ["lease_token", "TEXT"],
    ["lease_host", "TEXT"],
    ["lease_pid", "BIGINT"],
    ["lease_started_at", "BIGINT"],
    ["lease_renewed_at", "BIGINT"],
    ["lease_expires_at", "BIGINT"]
  ])
}

/**
 * Run the migrations not run yet. `@effect/sql`'s Migrator itself (SqliteMigrator and PgMigrator add
 * only a schema dump, which a journal does not want): on PostgreSQL it locks its table, so runners
 * starting together migrate once.
 */
export const run = Migrator.make({})({ loader: Migrator.fromRecord(migrations), table })
