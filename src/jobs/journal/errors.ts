/**
 * The journal's errors (a module of their own so every backend can raise them).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

/**
 * The journal cannot be used: it cannot be created, read or written, is not a journal, is damaged, or
 * (PostgreSQL) cannot be reached. `target` is the file, or the URL without its password.
 */
export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  target: Schema.String,
  /** What is wrong: "the directory /srv/jobs is not writable", "the file is not a journal" … */
  reason: Schema.String,
  /** What to do about it. */
  hint: Schema.String
}) {
  override get message() {
    return `journal ${this.target}: ${this.reason}; ${this.hint}`
  }
}

/** Who applies a job: a process on a host. */
export const Owner = Schema.Struct({ host: Schema.String, pid: Schema.Number })
export type Owner = typeof Owner.Type

/** A lease as recorded (times ISO 8601). */
export interface Holder {
  readonly host: string
  readonly pid: number
  readonly startedAt: string
  readonly renewedAt: string
  readonly expiresAt: string
}

/** Another runner holds the job's lease: it is applying the job now. */
export class LeaseHeldError extends Schema.TaggedError<LeaseHeldError>()("LeaseHeldError", {
  jobId: Schema.String,
  holder: Schema.Struct({ host: Schema.String, pid: Schema.Number, startedAt: Schema.String }),
  renewedAt: Schema.String,
  expiresAt: Schema.String
}) {
  override get message() {
    return `job ${this.jobId} is being applied by process ${this.holder.pid} on ${this.holder.host} since ${this.holder.startedAt} ` +
      `(lease renewed ${this.renewedAt}, expires ${this.expiresAt} unless renewed): wait for it (the option \`wait\`), or use another job id`
  }
}

export const leaseHeld = (jobId: string, holder: Holder) =>
  new LeaseHeldError({
    jobId,
    holder: { host: holder.host, pid: holder.pid, startedAt: holder.startedAt },
    renewedAt: holder.renewedAt,
    expiresAt: holder.expiresAt
  })
