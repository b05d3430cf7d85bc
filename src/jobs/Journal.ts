/**
 * The job journal: each job's kind and spec, when it started, where it stopped, who is applying it
 * (a lease), and every operation it planned and completed. A re-run with the same job id re-plans from
 * the server; the journal tells what was in flight, what to report as already done, and lets one
 * runner at a time apply a job. It never stores the API key (specs are the job's own inputs, and no
 * request is recorded).
 *
 * Backends: an SQLite file (the default, {@link layerSqlite}) or a PostgreSQL database shared by
 * runners on several machines ({@link layerPg}); {@link layerFor} picks one from a path or a
 * `postgres://` URL, {@link layerConfig} from `OPENROUTER_JOURNAL`. Both run the same migrations
 * (`journal/migrations.ts`) and the same statements.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Clock, Config, type ConfigError, Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { hostname } from "node:os"
import { resolve } from "node:path"
import { type Holder, JournalError, leaseHeld, type LeaseHeldError, type Owner } from "./journal/errors.ts"
import { run as migrate } from "./journal/migrations.ts"
import * as Sqlite from "./journal/Sqlite.ts"

// --- errors -----------------------------------------------------------------------------------------

export {
  /**
   * The journal cannot be used: it cannot be created, read or written, is not a journal, is damaged,
   * or (PostgreSQL) cannot be reached. `target` is the file, or the URL without its password.
   *
   * @since 0.1.0
   * @category errors
   */
  JournalError,
  /**
   * Another runner holds the job's lease: it is applying the job now.
   *
   * @since 0.1.0
   * @category errors
   */
  LeaseHeldError,
  /**
   * The runner holding a lease: its host and process id.
   *
   * @since 0.1.0
   * @category models
   */
  Owner
} from "./journal/errors.ts"
export type {
  /**
   * A lease as recorded (times ISO 8601).
   *
   * @since 0.1.0
   * @category models
   */
  Holder
} from "./journal/errors.ts"

// --- records ----------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export type OperationStatus = "planned" | "in-flight" | "done" | "failed"
/**
 * "running": a runner holds a live lease; "interrupted": a run stopped (a signal, a failure) and said
 * so; "stopped": the runner died (its lease expired unrenewed, or a journal from before leases);
 * "finished".
 *
 * @since 0.1.0
 * @category models
 */
export type JobStatus = "running" | "interrupted" | "stopped" | "finished"

/**
 * @since 0.1.0
 * @category models
 */
export interface JournalEntry {
  readonly key: string
  readonly status: OperationStatus
  readonly result: unknown
}

/**
 * A job as recorded: its spec (encoded), when it started, where it stopped, who holds it.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobRecord {
  readonly id: string
  readonly kind: string
  readonly spec: unknown
  readonly createdAt: string
  readonly updatedAt: string
  readonly finishedAt: string | undefined
  readonly status: JobStatus
  /** The runner applying it ("running"), or the one that died holding it ("stopped"). */
  readonly holder?: Holder
  /** Operations by status: planned, in-flight, done, failed. */
  readonly operations: Readonly<Record<string, number>>
}

/**
 * This run's hold on a job, from {@link JournalService.acquire}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lease {
  readonly jobId: string
  /** Identifies this run's lease (never shown; a run that lost its lease can no longer write). */
  readonly token: string
  readonly holder: Holder
  /** The job as recorded before this run; none for a new job. */
  readonly previous: Option.Option<JobRecord>
  /** The runner that died holding the job (its lease had expired) and this run took over from. */
  readonly tookOver: Option.Option<Holder>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface JournalService {
  /** The journal's file, or its URL without the password. */
  readonly target: string
  /** Same as `target` (the name 0.1.0 used). */
  readonly path: string
  readonly get: (jobId: string) => Effect.Effect<Option.Option<JobRecord>, JournalError>
  /** Every job, newest first. */
  readonly list: () => Effect.Effect<ReadonlyArray<JobRecord>, JournalError>
  /**
   * Take the job's lease for `owner` (registering the job if it is new): fails with
   * {@link LeaseHeldError} while another runner's lease is live; a lease left to expire (its runner
   * died) is taken over. Atomic across processes and machines sharing the journal.
   */
  readonly acquire: (request: {
    readonly jobId: string
    readonly kind: string
    readonly spec: unknown
    readonly owner: Owner
    readonly ttl: Duration.DurationInput
  }) => Effect.Effect<Lease, LeaseHeldError | JournalError>
  /** Extend the lease by `ttl` from now; {@link LeaseHeldError} when another runner took it over. */
  readonly renew: (lease: Lease, ttl: Duration.DurationInput) => Effect.Effect<void, LeaseHeldError | JournalError>
  /** Give the lease up: the job is "finished" or "interrupted"; nothing of it stays in flight. */
  readonly release: (lease: Lease, status: "finished" | "interrupted") => Effect.Effect<void, JournalError>
  /** Record planned operations (an operation already done stays done). */
  readonly plan: (jobId: string, operations: ReadonlyArray<{ key: string; payload: unknown }>) => Effect.Effect<void, JournalError>
  readonly entries: (jobId: string) => Effect.Effect<ReadonlyMap<string, JournalEntry>, JournalError>
  /**
   * Record an operation's status (and result). With `lease`, the write succeeds only while the lease
   * is this run's ({@link LeaseHeldError} otherwise, or a `JournalError` when the runner that took the
   * job over has ended it since): a change is sent only once recorded, and a run that lost the job
   * records nothing more.
   */
  readonly mark: (
    jobId: string,
    key: string,
    status: OperationStatus,
    result?: unknown,
    lease?: Lease
  ) => Effect.Effect<void, LeaseHeldError | JournalError>
}

/**
 * @since 0.1.0
 * @category services
 */
export class Journal extends Context.Tag("openrouter-effect/Journal")<Journal, JournalService>() {}

/**
 * Default: `.openrouter-effect/journal.sqlite` under the working directory.
 *
 * @since 0.1.0
 * @category config
 */
export const defaultPath = () => resolve(".openrouter-effect", "journal.sqlite")

// --- the service (one implementation, any SQL backend) ----------------------------------------------

interface JobRow {
  id: string
  kind: string
  params: string
  created_at: string
  updated_at: string | null
  finished_at: string | null
  status: string | null
  lease_token: string | null
  lease_host: string | null
  lease_pid: number | string | null
  lease_started_at: number | string | null
  lease_renewed_at: number | string | null
  lease_expires_at: number | string | null
}

const iso = (ms: number) => new Date(ms).toISOString()
// PostgreSQL returns BIGINT as a string
const num = (value: number | string | null) => (value === null ? undefined : Number(value))

const holderOf = (row: JobRow): Holder | undefined => {
  const started = num(row.lease_started_at)
  const renewed = num(row.lease_renewed_at)
  const expires = num(row.lease_expires_at)
  if (row.lease_host === null || started === undefined || renewed === undefined || expires === undefined) return undefined
  return { host: row.lease_host, pid: num(row.lease_pid) ?? 0, startedAt: iso(started), renewedAt: iso(renewed), expiresAt: iso(expires) }
}

/** Whether process `pid` of this host is gone (a live one, or one we may not signal, is not). */
const isGoneHere = (host: string | null, pid: number | undefined) => {
  if (host !== hostname() || pid === undefined || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH"
  }
}

/**
 * A lease is live while it is recorded as running and not past its expiry — unless its holder is a
 * process of this very host that no longer exists (killed): then there is nothing to wait for.
 */
const isLive = (row: JobRow, now: number) =>
  row.status === "running" && (num(row.lease_expires_at) ?? 0) > now && !isGoneHere(row.lease_host, num(row.lease_pid))

const statusOf = (row: JobRow, now: number): JobStatus => {
  if (row.status === "finished" || (row.status === null && row.finished_at !== null)) return "finished"
  if (row.status === "interrupted") return "interrupted"
  return isLive(row, now) ? "running" : "stopped"
}

const randomToken = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`

/**
 * The journal over the `SqlClient` in context (migrated already). `fault` turns a backend's error into
 * a {@link JournalError} naming the journal and what to do.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly target: string; readonly fault: (error: SqlError) => JournalError }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const q = <A>(effect: Effect.Effect<A, SqlError>): Effect.Effect<A, JournalError> => Effect.mapError(effect, options.fault)

    const counts = (jobId: string) =>
      Effect.map(
        sql<{ status: string; n: number | string }>`SELECT status, COUNT(*) AS n FROM operations WHERE job_id = ${jobId} GROUP BY status`,
        (rows) => Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
      )
    const record = (row: JobRow, now: number) =>
      Effect.map(counts(row.id), (operations): JobRecord => {
        const status = statusOf(row, now)
        const holder = status === "running" || status === "stopped" ? holderOf(row) : undefined
        return {
          id: row.id,
          kind: row.kind,
          spec: JSON.parse(row.params),
          createdAt: row.created_at,
          updatedAt: row.updated_at ?? row.created_at,
          finishedAt: row.finished_at ?? undefined,
          status,
          ...(holder ? { holder } : {}),
          operations
        }
      })
    const row = (jobId: string) => Effect.map(sql<JobRow>`SELECT * FROM jobs WHERE id = ${jobId}`, (rows) => Option.fromNullable(rows[0]))
    const get = (jobId: string) =>
      q(Effect.gen(function*() {
        const found = yield* row(jobId)
        if (Option.isNone(found)) return Option.none<JobRecord>()
        return Option.some(yield* record(found.value, yield* Clock.currentTimeMillis))
      }))

    const acquire: JournalService["acquire"] = ({ jobId, kind, owner, spec, ttl }) =>
      Effect.gen(function*() {
        const token = randomToken()
        // a conditional write decides between runners racing for the job; a loser looks again
        for (let attempt = 0; attempt < 10; attempt++) {
          const now = yield* Clock.currentTimeMillis
          const expires = now + Duration.toMillis(Duration.decode(ttl))
          const holder: Holder = { host: owner.host, pid: owner.pid, startedAt: iso(now), renewedAt: iso(now), expiresAt: iso(expires) }
          const lease = { jobId, token, holder }
          const current = yield* q(row(jobId))
          if (Option.isNone(current)) {
            const inserted = yield* q(sql<{ id: string }>`INSERT INTO jobs
              (id, kind, params, created_at, updated_at, status, lease_token, lease_host, lease_pid, lease_started_at, lease_renewed_at, lease_expires_at)
              VALUES (${jobId}, ${kind}, ${JSON.stringify(spec)}, ${iso(now)}, ${
              iso(now)
            }, 'running', ${token}, ${owner.host}, ${owner.pid}, ${now}, ${now}, ${expires})
              ON CONFLICT (id) DO NOTHING RETURNING id`)
            if (inserted.length > 0) return { ...lease, previous: Option.none(), tookOver: Option.none() } satisfies Lease
            continue
          }
          const existing = current.value
          const previousHolder = holderOf(existing)
          if (isLive(existing, now) && previousHolder) return yield* leaseHeld(jobId, previousHolder)
          const previous = yield* q(record(existing, now))
          const taken = yield* q(sql<{ id: string }>`UPDATE jobs SET status = 'running', updated_at = ${iso(now)},
              lease_token = ${token}, lease_host = ${owner.host}, lease_pid = ${owner.pid},
              lease_started_at = ${now}, lease_renewed_at = ${now}, lease_expires_at = ${expires}
            WHERE id = ${jobId} AND COALESCE(lease_token, '') = ${existing.lease_token ?? ""}
              AND COALESCE(status, '') = ${existing.status ?? ""}
            RETURNING id`)
          if (taken.length === 0) continue
          return {
            ...lease,
            previous: Option.some(previous),
            tookOver: existing.status === "running" && previousHolder ? Option.some(previousHolder) : Option.none()
          } satisfies Lease
        }
        return yield* new JournalError({
          target: options.target,
          reason: `job ${jobId}'s lease kept changing hands while this run tried to take it`,
          hint: "several runners are starting this job at once: run it from one place, or try again"
        })
      })

    /** Who holds the job now (after this run's lease was found lost). */
    const lost = (lease: Lease) =>
      Effect.gen(function*() {
        const current = yield* q(row(lease.jobId))
        if (Option.isSome(current) && current.value.lease_token !== lease.token) {
          const holder = holderOf(current.value)
          if (holder) return yield* leaseHeld(lease.jobId, holder)
          return yield* new JournalError({
            target: options.target,
            reason: `job ${lease.jobId} was taken over by another runner while this run held it (this run's lease expired ` +
              `unrenewed), and that runner has ended it since (${current.value.status ?? "finished"})`,
            hint: "this run stopped and records nothing more: look at the job (jobs show) before running it again"
          })
        }
        return yield* new JournalError({
          target: options.target,
          reason: `this run's lease on job ${lease.jobId} is gone from the journal`,
          hint: "another program changed the journal while the job ran: look at the job (jobs show) and resume it"
        })
      })

    const service: JournalService = {
      target: options.target,
      path: options.target,
      get,
      list: () =>
        q(Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const rows = yield* sql<JobRow>`SELECT * FROM jobs ORDER BY created_at DESC, id`
          return yield* Effect.forEach(rows, (r) => record(r, now))
        })),
      acquire,
      renew: (lease, ttl) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const expires = now + Duration.toMillis(Duration.decode(ttl))
          const renewed = yield* q(sql<{ id: string }>`UPDATE jobs SET lease_renewed_at = ${now}, lease_expires_at = ${expires}
            WHERE id = ${lease.jobId} AND lease_token = ${lease.token} AND status = 'running' RETURNING id`)
          if (renewed.length === 0) return yield* lost(lease)
        }),
      release: (lease, status) =>
        q(sql.withTransaction(Effect.gen(function*() {
          const at = iso(yield* Clock.currentTimeMillis)
          const released = yield* sql<{ id: string }>`UPDATE jobs SET status = ${status}, updated_at = ${at},
              finished_at = ${status === "finished" ? at : null},
              lease_token = NULL, lease_host = NULL, lease_pid = NULL,
              lease_started_at = NULL, lease_renewed_at = NULL, lease_expires_at = NULL
            WHERE id = ${lease.jobId} AND lease_token = ${lease.token} RETURNING id`
          // whatever was in flight when the run ended is not known done: the next run re-reads the server
          if (released.length > 0) {
            yield* sql`UPDATE operations SET status = 'planned', updated_at = ${at}
              WHERE job_id = ${lease.jobId} AND status = 'in-flight'`
          }
        }))),
      plan: (jobId, operations) =>
        q(Effect.gen(function*() {
          const at = iso(yield* Clock.currentTimeMillis)
          const rows = operations.map(({ key, payload }) => ({
            job_id: jobId,
            key,
            payload: JSON.stringify(payload),
            status: "planned",
            updated_at: at
          }))
          yield* sql.withTransaction(Effect.forEach(chunks(rows, 100), (batch) =>
            sql`INSERT INTO operations ${sql.insert(batch)}
              ON CONFLICT (job_id, key) DO UPDATE SET payload = excluded.payload,
                status = CASE WHEN operations.status = 'done' THEN 'done' ELSE 'planned' END`, { discard: true }))
        })),
      entries: (jobId) =>
        q(Effect.map(
          sql<{ key: string; status: OperationStatus; result: string | null }>`
            SELECT key, status, result FROM operations WHERE job_id = ${jobId}`,
          (rows) =>
            new Map(rows.map((row) => [row.key, {
              key: row.key,
              status: row.status,
              result: row.result === null ? null : JSON.parse(row.result)
            }]))
        )),
      mark: (jobId, key, status, result, lease) =>
        Effect.gen(function*() {
          const at = iso(yield* Clock.currentTimeMillis)
          const encoded = result === undefined ? null : JSON.stringify(result)
          if (lease) {
            // only while this run holds the lease: a runner that lost it records (so sends) nothing more
            const marked = yield* q(sql<{ key: string }>`INSERT INTO operations (job_id, key, payload, status, result, updated_at)
              SELECT ${jobId}, ${key}, '{}', ${status}, ${encoded}, ${at}
              WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ${jobId} AND lease_token = ${lease.token} AND status = 'running')
              ON CONFLICT (job_id, key) DO UPDATE SET status = excluded.status,
                result = COALESCE(excluded.result, operations.result), updated_at = excluded.updated_at
              RETURNING key`)
            if (marked.length > 0) return
            return yield* lost(lease)
          }
          yield* q(sql`INSERT INTO operations (job_id, key, payload, status, result, updated_at)
            VALUES (${jobId}, ${key}, '{}', ${status}, ${encoded}, ${at})
            ON CONFLICT (job_id, key) DO UPDATE SET status = excluded.status,
              result = COALESCE(excluded.result, operations.result), updated_at = excluded.updated_at`)
        })
    }
    return service
  })

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> => {
  const out: Array<Array<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The journal over a backend's `SqlClient`: migrations first (a migration that fails is a
 * {@link JournalError}, never a defect), then the service.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = <E, R>(
  client: Layer.Layer<SqlClient.SqlClient, E, R>,
  options: { readonly target: string; readonly fault: (error: SqlError) => JournalError }
): Layer.Layer<Journal, E | JournalError, R> =>
  Layer.effect(
    Journal,
    Effect.gen(function*() {
      yield* migrate.pipe(
        Effect.catchTag("SqlError", (error) => Effect.fail(options.fault(error))),
        Effect.catchTag("MigrationError", (error) =>
          Effect.fail(
            new JournalError({ target: options.target, reason: `its schema cannot be updated (${error.message})`, hint: hintOfMigration })
          )),
        Effect.catchAllDefect((defect) => {
          const cause = (defect as { cause?: unknown })?.cause
          return Effect.fail(
            cause && typeof cause === "object" && (cause as { _tag?: string })._tag === "SqlError"
              ? options.fault(cause as SqlError)
              : new JournalError({
                target: options.target,
                reason: `its schema cannot be updated (${String((defect as Error)?.message ?? defect)})`,
                hint: hintOfMigration
              })
          )
        })
      )
      return yield* make(options)
    })
  ).pipe(Layer.provide(client))

const hintOfMigration = "check that this user may create and alter tables there, or use another journal"

// --- layers -----------------------------------------------------------------------------------------

/**
 * An SQLite journal at `path` (the directory is created if needed); faults are {@link JournalError}s.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (path: string = defaultPath()): Layer.Layer<Journal, JournalError> => {
  const file = resolve(path)
  return layerWith(Sqlite.clientLayer(file), { target: file, fault: Sqlite.fault(file) })
}

/**
 * The journal at `target` (default {@link defaultPath}): an SQLite file as in 0.1.0, or, for a
 * `postgres://` URL, PostgreSQL ({@link layerFor}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (target: string = defaultPath()): Layer.Layer<Journal, JournalError> => layerFor(target)

/**
 * How to reach a PostgreSQL journal: a URL, or its parts. The password is kept `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PgConfig {
  readonly url?: Redacted.Redacted<string> | undefined
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly database?: string | undefined
  readonly username?: string | undefined
  readonly password?: Redacted.Redacted<string> | undefined
  /** How long to wait for the server when connecting. Default 5 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * A PostgreSQL journal, shared by runners on several machines (`@effect/sql-pg`, an optional peer
 * dependency, loaded only here). Use a database (or schema) of its own: it creates `jobs`,
 * `operations` and `journal_migrations`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (config: PgConfig): Layer.Layer<Journal, JournalError> =>
  Layer.unwrapEffect(Effect.map(
    Effect.tryPromise({
      try: () => import("./journal/Pg.ts"),
      catch: (cause) =>
        new JournalError({
          target: displayTarget(config),
          reason: `the PostgreSQL driver cannot be loaded (${(cause as Error)?.message ?? String(cause)})`,
          hint: "install @effect/sql-pg (npm install @effect/sql-pg@~0.53) beside openrouter-effect"
        })
    }),
    (Pg) =>
      layerWith(Pg.clientLayer(config, displayTarget(config)), { target: displayTarget(config), fault: Pg.fault(displayTarget(config), config) })
  ))

/**
 * Whether a journal target names a PostgreSQL database rather than an SQLite file.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPgUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target.trim())

/**
 * A connection URL as it may be shown: without its password.
 *
 * @since 0.1.0
 * @category utils
 */
export const displayUrl = (url: string) => {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = ""
    parsed.searchParams.delete("password")
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1@")
  }
}

const displayTarget = (config: PgConfig) =>
  config.url
    ? displayUrl(Redacted.value(config.url))
    : `postgres://${config.username ? `${config.username}@` : ""}${config.host ?? "localhost"}:${config.port ?? 5432}/${config.database ?? ""}`

/**
 * The journal a target names: a `postgres://` (or `postgresql://`) URL, or else an SQLite file path.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFor = (target: string): Layer.Layer<Journal, JournalError> =>
  isPgUrl(target) ? layerPg({ url: Redacted.make(target.trim()) }) : layerSqlite(target)

/**
 * The journal `OPENROUTER_JOURNAL` names (a path or a `postgres://` URL), else {@link defaultPath}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  target: Config.Config<Option.Option<Redacted.Redacted<string>>> = Config.option(Config.redacted("OPENROUTER_JOURNAL"))
): Layer.Layer<Journal, JournalError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(target, (value) => Option.isSome(value) ? layerFor(Redacted.value(value.value)) : layerSqlite(defaultPath())))
