/**
 * Key rotation, in two phases that may be days apart. Phase one gives each selected key a replacement
 * (its name plus a suffix, the same limit, limit reset, BYOK setting, workspace, creator and
 * guardrail), hands the new secret to a sink (a 0600 file or a command) and records the pair in the
 * journal — hashes and times, never the secret. Phase two, once the grace has passed, disables (or
 * deletes) the old key. Every run of the same job id does what is due and reports what is waiting.
 *
 * What can go wrong between creating a key and delivering its secret, and what happens:
 * - the sink fails (or the run is interrupted while delivering): the new key is disabled at once, the
 *   old key is untouched, the item fails with the reason; the next run deletes that disabled key (made
 *   by this job, its secret held by nobody) and makes a fresh one.
 * - the process dies (SIGKILL) after the create answered: the journal already holds the new key's
 *   hash (recorded before delivery), so the next run deletes it and makes a fresh one.
 * - the process dies while the create is in flight, or the API does not say whether it made the key:
 *   the create is never replayed blindly; the next run first looks for a key of the replacement's name
 *   in that workspace created around that time, deletes it, then makes a fresh one.
 * - another runner takes the job over (this one froze past its lease): every journal write of this run
 *   is under its lease, so it stops at the next one with `LeaseHeldError` and records (so makes) nothing
 *   more; a key it made but can no longer record is deleted (disabled if that fails), since the runner
 *   now holding the job never learns of it.
 * The old key is only ever touched after its replacement was delivered, the grace has passed, and the
 * replacement is still there and enabled.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Either, FiberRef, Option, type Redacted, Schema, Stream } from "effect"
import { InvalidRequestError } from "../Errors.ts"
import { Guardrails } from "../Guardrails.ts"
import { Keys, type KeysError } from "../Keys.ts"
import { LimitReset } from "../KeysDomain.ts"
import * as RetryPolicy from "../RetryPolicy.ts"
import type * as Definitions from "./Definitions.ts"
import type { JobDefinition, JobError } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import { Journal, type JournalError, type LeaseHeldError } from "./Journal.ts"
import * as SecretSink from "./SecretSink.ts"
import { globMatcher, resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

const KIND = "key-rotation"

/**
 * Appended to a replacement's name unless the spec says otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SUFFIX = "-rotated"
/**
 * How long an old key keeps working after its replacement was delivered, unless the spec says otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_GRACE = "7d"

// --- the spec -----------------------------------------------------------------------------------------

const hasControl = (s: string) => /[\u0000-\u001f\u007f]/.test(s)

/** A non-blank string without control characters, at most `max` characters. */
const Printable = (what: string, max: number) =>
  Schema.String.pipe(
    Schema.filter((s) =>
      s.trim() === "" ? `${what} must not be empty` : s.length > max ? `${what} is longer than ${max} characters` : hasControl(s)
        ? `${what} contains control characters`
        : true
    )
  )

/** What a rotated key's name gets (`ci` → `ci-rotated`): printable, no control characters, 1–64 characters. */
const Suffix = Schema.String.pipe(
  Schema.filter((s) => (s.length >= 1 && s.length <= 64 && !hasControl(s) && s.trim() !== "") || "a suffix must be 1–64 printable characters"),
  Schema.annotations({ identifier: "Suffix" })
)

const rotationCriteria = ["name", "label", "olderThan", "expiringWithin"] as const

/**
 * Key rotation (two phases): each selected key gets a replacement (same name plus `suffix`, same limit,
 * reset, BYOK setting, workspace, creator and guardrail) whose secret goes to a sink; after `grace`, the
 * old key is disabled (or deleted with `deleteOld`). A key is selected when it is enabled and matches
 * every criterion given; at least one criterion, or `allKeys: true`: an empty selection is refused.
 *
 * @since 0.1.0
 * @category models
 */
export class KeyRotationSpec extends Schema.Class<KeyRotationSpec>("KeyRotationSpec")(
  Schema.Struct({
    /** `"all"` or workspace ids, slugs and globs. */
    workspaces: Specs.WorkspaceScope,
    /** Key name glob, e.g. `ci-*`. */
    name: Schema.optionalWith(Specs.Glob, { exact: true }),
    /** Key label glob (the masked key, e.g. `sk-or-v1-abc*`). */
    label: Schema.optionalWith(Specs.Glob, { exact: true }),
    /** Keys created more than this long ago, e.g. `90d`. */
    olderThan: Schema.optionalWith(Specs.Age, { exact: true }),
    /** Keys that expire within this time from now, e.g. `14d` (keys already expired are left alone). */
    expiringWithin: Schema.optionalWith(Specs.Age, { exact: true }),
    /** Every enabled key in the selected workspaces: required when no criterion is given. */
    allKeys: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** Appended to the name of each replacement (default `-rotated`; a name already ending in it keeps it). */
    suffix: Schema.optionalWith(Suffix, { exact: true }),
    /** How long the old key keeps working after its replacement was delivered (default `7d`). */
    grace: Schema.optionalWith(Specs.Age, { exact: true }),
    /** Delete the old keys after the grace instead of disabling them. */
    deleteOld: Schema.optionalWith(Schema.Boolean, { exact: true }),
    /** Append each new secret as a JSON line to this file (created 0600). */
    secretsTo: Schema.optionalWith(Printable("a file path", 4096), { exact: true }),
    /** Run this shell command once per new key, the secret on stdin, the names in the environment. */
    secretsCommand: Schema.optionalWith(Printable("a command", 4096), { exact: true })
  }).pipe(
    Schema.filter((spec) => {
      const criteria = rotationCriteria.filter((c) => spec[c] !== undefined)
      if (criteria.length === 0 && spec.allKeys !== true) {
        return "no criterion given: this would rotate every key; add one (name, label, olderThan, expiringWithin) or allKeys: true (--all-keys)"
      }
      if (criteria.length > 0 && spec.allKeys === true) {
        return `allKeys selects every key: give it alone, or criteria (${criteria.join(", ")}) without it`
      }
      if (spec.secretsTo !== undefined && spec.secretsCommand !== undefined) {
        return "give one place for the new secrets: secretsTo (--secrets-to) or secretsCommand (--secrets-command), not both"
      }
      return true
    })
  )
) {
  get kind() {
    return "key-rotation" as const
  }
}

/**
 * `ci` → `ci-rotated`; a name that already ends in the suffix keeps it (rotating twice does not grow names).
 *
 * @since 0.1.0
 * @category utils
 */
export const replacementName = (name: string, suffix: string = DEFAULT_SUFFIX) => name.endsWith(suffix) ? name : `${name}${suffix}`

const graceOf = (spec: KeyRotationSpec) => Specs.ageMillis(spec.grace ?? DEFAULT_GRACE)!

// --- what the plan and the journal hold --------------------------------------------------------------

/**
 * A key to rotate: what its replacement copies, and why it was selected.
 *
 * @since 0.1.0
 * @category models
 */
export class RotationCandidate extends Schema.Class<RotationCandidate>("RotationCandidate")({
  hash: Schema.String,
  name: Schema.String,
  /** The masked key (never the key). */
  label: Schema.String,
  workspaceId: Schema.String,
  workspace: Schema.String,
  creatorUserId: Schema.NullOr(Schema.String),
  limit: Schema.NullOr(Schema.Number),
  limitReset: Schema.NullOr(Schema.String),
  includeByokInLimit: Schema.Boolean,
  createdAt: Schema.String,
  expiresAt: Schema.NullOr(Schema.String),
  /** The guardrail assigned to the key, copied to its replacement. */
  guardrailId: Schema.NullOr(Schema.String),
  newName: Schema.String,
  /** An enabled key of that workspace already named `newName` (its hash), when planned. */
  nameTakenBy: Schema.NullOr(Schema.String),
  reasons: Schema.Array(Schema.String)
}) {}

/**
 * One rotation as the journal keeps it (the result of its `rotate:<old hash>` operation): where it got
 * to, the pair of hashes, when it was delivered. Never the secret.
 *
 * @since 0.1.0
 * @category models
 */
export class RotationRecord extends Schema.Class<RotationRecord>("RotationRecord")({
  /**
   * creating: the create was sent, its answer not recorded; created: the answer recorded, delivery not;
   * undelivered: the sink failed, the new key was disabled; delivered: the pair is complete;
   * abandoned: the old key is no longer selected and the undelivered replacement was removed.
   */
  stage: Schema.Literal("creating", "created", "undelivered", "delivered", "abandoned"),
  oldHash: Schema.String,
  oldName: Schema.String,
  oldLabel: Schema.String,
  workspaceId: Schema.String,
  workspace: Schema.String,
  newName: Schema.String,
  newHash: Schema.optionalWith(Schema.String, { exact: true }),
  newLabel: Schema.optionalWith(Schema.String, { exact: true }),
  /** When the create was sent (ms since the epoch, effect's Clock). */
  startedAt: Schema.Number,
  /** When the secret was delivered: the grace counts from here. */
  deliveredAt: Schema.optionalWith(Schema.Number, { exact: true }),
  reason: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class KeyRotationPlan extends Schema.TaggedClass<KeyRotationPlan>()("KeyRotationPlan", {
  spec: KeyRotationSpec,
  /** The instant ages and expiries were judged at (ms since the epoch). */
  now: Schema.Number,
  /** Keys to rotate (phase one). */
  keys: Schema.Array(RotationCandidate),
  /** The job whose journal was read, if any. */
  jobId: Schema.optionalWith(Schema.String, { exact: true }),
  /** Rotations that job recorded whose old key is not retired yet (phase two: due or waiting). */
  pending: Schema.optionalWith(Schema.Array(RotationRecord), { exact: true, default: () => [] })
}) {}

const decodeRecord = Schema.decodeUnknownOption(RotationRecord)

const rotateKey = (oldHash: string) => `rotate:${oldHash}`
const retireKey = (oldHash: string) => `retire:${oldHash}`

interface Recorded {
  /** By old hash. */
  readonly rotations: ReadonlyMap<string, RotationRecord>
  /** Old hashes whose key was disabled or deleted. */
  readonly retired: ReadonlySet<string>
  /** Every replacement hash this job made (they are never rotated by it). */
  readonly replacements: ReadonlySet<string>
}

/** What the journal of `jobId` says about its rotations. */
const readRecords = (jobId: string) =>
  Effect.gen(function*() {
    const journal = yield* Journal
    const entries = yield* journal.entries(jobId)
    const rotations = new Map<string, RotationRecord>()
    const retired = new Set<string>()
    for (const entry of entries.values()) {
      if (entry.key.startsWith("rotate:")) {
        const record = decodeRecord((entry.result as { record?: unknown } | null)?.record)
        if (Option.isSome(record)) rotations.set(record.value.oldHash, record.value)
      } else if (entry.key.startsWith("retire:") && entry.status === "done") {
        retired.add(entry.key.slice("retire:".length))
      }
    }
    const replacements = new Set([...rotations.values()].flatMap((r) => (r.newHash !== undefined ? [r.newHash] : [])))
    const recorded: Recorded = { rotations, retired, replacements }
    return recorded
  })

const none: Recorded = { rotations: new Map(), retired: new Set(), replacements: new Set() }

// --- selection ----------------------------------------------------------------------------------------

const day = (iso: string) => iso.slice(0, 10)

/**
 * The selection as a function of a key's metadata: the reasons it is selected, or undefined.
 *
 * @since 0.1.0
 * @category selection
 */
export const selector = (spec: KeyRotationSpec, now: number) => {
  const name = spec.name === undefined ? undefined : globMatcher(spec.name)
  const label = spec.label === undefined ? undefined : globMatcher(spec.label)
  const olderThan = spec.olderThan === undefined ? undefined : Specs.ageMillis(spec.olderThan)!
  const expiringWithin = spec.expiringWithin === undefined ? undefined : Specs.ageMillis(spec.expiringWithin)!
  return (key: {
    readonly name: string
    readonly label: string
    readonly disabled: boolean
    readonly createdAt: string
    readonly expiresAt?: string | null | undefined
  }): ReadonlyArray<string> | undefined => {
    // a disabled key has nothing to rotate; an expired one is left alone (its expiry may be meant)
    if (key.disabled || (key.expiresAt != null && Date.parse(key.expiresAt) <= now)) return undefined
    const reasons: Array<string> = []
    if (name !== undefined) {
      if (!name(key.name)) return undefined
      reasons.push(`name matches ${spec.name}`)
    }
    if (label !== undefined) {
      if (!label(key.label)) return undefined
      reasons.push(`label matches ${spec.label}`)
    }
    if (olderThan !== undefined) {
      const created = Date.parse(key.createdAt)
      if (!(created <= now - olderThan)) return undefined
      reasons.push(`created ${day(key.createdAt)}, more than ${spec.olderThan} ago`)
    }
    if (expiringWithin !== undefined) {
      const expires = key.expiresAt == null ? NaN : Date.parse(key.expiresAt)
      if (!(expires <= now + expiringWithin)) return undefined
      reasons.push(`expires ${key.expiresAt}, within ${spec.expiringWithin}`)
    }
    return spec.allKeys ? ["every key (allKeys)"] : reasons
  }
}

/** The selected keys, listed from the server (every selected workspace read in full before anything changes). */
const listCandidates = (spec: KeyRotationSpec, now: number, concurrency: number, exclude: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const guardrails = yield* Guardrails
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces)
    const listed = (yield* Effect.forEach(selection.selected, (workspace) =>
      Effect.map(
        Stream.runCollect(keys.stream({ workspaceId: workspace.id })),
        (chunk) => [...chunk].map((key) => ({ key, workspace }))
      ), { concurrency })).flat()
    const select = selector(spec, now)
    const chosen = listed.flatMap(({ key, workspace }) => {
      const reasons = exclude.has(key.hash) ? undefined : select(key)
      return reasons === undefined ? [] : [{ key, workspace, reasons }]
    })
    if (chosen.length === 0) return []
    const guardrailOf = new Map<string, string>()
    yield* Stream.runForEach(guardrails.streamAllKeyAssignments(), (a) => Effect.sync(() => guardrailOf.set(a.keyHash, a.guardrailId)))
    const suffix = spec.suffix ?? DEFAULT_SUFFIX
    return chosen.map(({ key, reasons, workspace }) => {
      const newName = replacementName(key.name, suffix)
      const taken = listed.find((other) => other.workspace.id === workspace.id && other.key.hash !== key.hash && other.key.name === newName)
      return new RotationCandidate({
        hash: key.hash,
        name: key.name,
        label: key.label,
        workspaceId: workspace.id,
        workspace: workspace.slug,
        creatorUserId: key.creatorUserId,
        limit: key.limit,
        limitReset: key.limitReset,
        includeByokInLimit: key.includeByokInLimit,
        createdAt: key.createdAt,
        expiresAt: key.expiresAt ?? null,
        guardrailId: guardrailOf.get(key.hash) ?? null,
        newName,
        nameTakenBy: taken?.key.hash ?? null,
        reasons
      })
    })
  })

/**
 * Options of {@link plan}: the engine's, and the job whose journal tells what is rotated already (read when a `Journal` is provided).
 *
 * @since 0.1.0
 * @category models
 */
export type PlanOptions = Definitions.PlanOptions

const recordsFor = (jobId: string | undefined) =>
  jobId === undefined
    ? Effect.succeed(none)
    : Effect.flatMap(Effect.serviceOption(Journal), (journal) =>
      Option.isNone(journal) ? Effect.succeed(none) : Effect.provideService(readRecords(jobId), Journal, journal.value))

const planFrom = (spec: KeyRotationSpec, now: number, concurrency: number, jobId: string | undefined) =>
  Effect.gen(function*() {
    const recorded = yield* recordsFor(jobId)
    // a key rotated already (delivered) or made by this job is not rotated again by it
    const settled = new Set([
      ...recorded.replacements,
      ...[...recorded.rotations.values()].filter((r) => r.stage === "delivered").map((r) => r.oldHash)
    ])
    const keys = yield* listCandidates(spec, now, concurrency, settled)
    const pending = [...recorded.rotations.values()].filter((r) => r.stage === "delivered" && !recorded.retired.has(r.oldHash))
    return new KeyRotationPlan({ spec, now, keys, ...(jobId !== undefined ? { jobId } : {}), pending })
  })

/**
 * Plan from a spec (an instance or its encoded form): the keys to rotate and, given `jobId` and a
 * `Journal`, that job's rotations due or waiting. Changes nothing.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(KeyRotationSpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    return yield* planFrom(spec, yield* Clock.currentTimeMillis, concurrency, options.jobId)
  }).pipe(Engine.gated(options))

// --- applying -------------------------------------------------------------------------------------------

/**
 * The sink the spec names; none when it names none.
 *
 * @since 0.1.0
 * @category sinks
 */
export const sinkOf = (spec: KeyRotationSpec): SecretSink.SecretSink | undefined =>
  spec.secretsTo !== undefined
    ? SecretSink.file(spec.secretsTo)
    : spec.secretsCommand !== undefined
    ? SecretSink.command(spec.secretsCommand)
    : undefined

/**
 * Options of {@link apply}: the engine's, and a sink of your own instead of the spec's file or command.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplyOptions extends Engine.ApplyJobOptions {
  readonly sink?: SecretSink.SecretSink
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z")

const rotateAction = (c: { readonly oldName: string; readonly oldLabel: string; readonly workspace: string; readonly newName: string }) =>
  `rotate ${c.oldName} (${c.oldLabel}) in ${c.workspace} → ${c.newName}`
const retireAction = (spec: KeyRotationSpec, r: RotationRecord) =>
  `${spec.deleteOld ? "delete" : "disable"} old ${r.oldName} (${r.oldLabel}) in ${r.workspace}`

const keyItem = (key: string, action: string, outcome: Engine.ReportItem["outcome"], reason?: string) =>
  new Engine.ReportItem({ kind: "key", key, action, outcome, ...(reason !== undefined ? { reason } : {}) })

/** The record a candidate starts from. */
const startRecord = (c: RotationCandidate, startedAt: number) =>
  new RotationRecord({
    stage: "creating",
    oldHash: c.hash,
    oldName: c.name,
    oldLabel: c.label,
    workspaceId: c.workspaceId,
    workspace: c.workspace,
    newName: c.newName,
    startedAt
  })

/** How a create went: made and recorded, or why not. */
type Made = Either.Either<
  { readonly created: RotationRecord; readonly secret: Redacted.Redacted<string> },
  | { readonly _tag: "Unrecorded"; readonly reason: string }
  | { readonly _tag: "NotMade"; readonly error: KeysError<"create"> }
  | { readonly _tag: "MadeUnrecorded"; readonly reason: string; readonly disabled: string; readonly created: RotationRecord }
  /** Another runner took the job over: this run stops (what it made and could not record is removed). */
  | { readonly _tag: "LeaseLost"; readonly error: LeaseHeldError; readonly removed: string }
>

/** How far from `startedAt` a key made by an unanswered create may have been stamped by the server. */
const CREATE_WINDOW_MS = 10 * 60_000

const execute = (current: KeyRotationPlan, extra: ReadonlyArray<Engine.ReportItem>, options: ApplyOptions) =>
  Effect.gen(function*() {
    const keys = yield* Keys
    const guardrails = yield* Guardrails
    const journal = yield* Journal
    const spec = current.spec
    const jobId = options.jobId ?? Engine.newJobId(KIND)
    const now = yield* Clock.currentTimeMillis
    const grace = graceOf(spec)
    const before = yield* readRecords(jobId)
    const sink = options.sink ?? sinkOf(spec)

    const operations: Array<Engine.PlannedOperation> = []
    const items: Array<Engine.ReportItem> = [...extra]
    const planned = new Set<string>()

    // --- removing a replacement whose secret nobody holds ---------------------------------------------
    /** Delete what an unfinished attempt left: the recorded new key, or (hash unknown) keys of that name made then. */
    const cleanup = (record: RotationRecord, known: ReadonlySet<string>) =>
      Effect.gen(function*() {
        const removed: Array<string> = []
        const notes: Array<string> = []
        let hashes: Array<{ hash: string; label: string }> = []
        if (record.newHash !== undefined) hashes = [{ hash: record.newHash, label: record.newLabel ?? record.newHash }]
        else {
          const listed = yield* Stream.runCollect(keys.stream({ workspaceId: record.workspaceId, includeDisabled: true })).pipe(
            Effect.map((chunk) => [...chunk]),
            Effect.catchAll(() => Effect.succeed([]))
          )
          hashes = listed.filter((k) =>
            k.name === record.newName && k.hash !== record.oldHash && !known.has(k.hash) &&
            Math.abs(Date.parse(k.createdAt) - record.startedAt) <= CREATE_WINDOW_MS
          ).map((k) => ({ hash: k.hash, label: k.label }))
        }
        for (const { hash, label } of hashes) {
          const gone = yield* keys.delete({ hash }).pipe(
            Effect.as(true),
            Effect.catchTag("NotFoundResponseError", () => Effect.succeed(true)),
            Effect.catchAll((error) => Effect.succeed(error.message))
          )
          if (gone === true) {
            removed.push(hash)
            notes.push(`deleted ${label}, made by an earlier attempt whose secret was never delivered`)
          } else notes.push(`could not delete ${label} (made by an earlier attempt, secret never delivered): ${gone}`)
        }
        return { removed, notes }
      })

    /**
     * Done once, by the first operation, once this run holds the job (another runner may have gone
     * first), and before this run creates anything: a search by name must never find a key this run made.
     * What unfinished attempts left is adopted (the sink holds its secret) or deleted.
     */
    const prepare = yield* Effect.cached(Effect.gen(function*() {
      const fresh = yield* Effect.provideService(readRecords(jobId), Journal, journal).pipe(Effect.mapError((error) => error.message))
      const adopted = new Map<string, RotationRecord>()
      const notes = new Map<string, ReadonlyArray<string>>()
      const removed = new Set<string>()
      for (const record of fresh.rotations.values()) {
        if (record.stage !== "creating" && record.stage !== "created" && record.stage !== "undelivered") continue
        if (record.stage === "created" && sink?.holds !== undefined && (yield* sink.holds(record.newHash!))) {
          adopted.set(record.oldHash, record)
          continue
        }
        const cleaned = yield* cleanup(record, fresh.replacements)
        notes.set(record.oldHash, cleaned.notes)
        for (const hash of cleaned.removed) removed.add(hash)
      }
      return { fresh, adopted, notes, removed }
    }))

    /** A delivery an earlier run made but did not record, finished now. */
    const adopt = (record: RotationRecord) =>
      Effect.map(Clock.currentTimeMillis, (deliveredAt) => ({
        items: [
          keyItem(
            record.oldHash,
            rotateAction(record),
            "done",
            `new key ${record.newLabel} was delivered to ${sink?.describe} by a run that stopped before recording it; ` +
              `the old key stays enabled until ${iso(deliveredAt + grace)}`
          )
        ],
        record: new RotationRecord({ ...record, stage: "delivered", deliveredAt })
      }))

    /** Disable a new key whose secret was not delivered; the message says what happened to it. */
    const disableNew = (hash: string, label: string) =>
      keys.update({ hash, disabled: true }).pipe(
        Effect.as(`the new key ${label} was disabled`),
        Effect.catchAll((error) => Effect.succeed(`the new key ${label} could NOT be disabled (${error.message}): disable it yourself`))
      )

    /** Delete a new key this run cannot record (its secret never handed out); disable it if that fails. */
    const removeNew = (hash: string, label: string) =>
      keys.delete({ hash }).pipe(
        Effect.as(`the new key ${label} was deleted`),
        Effect.catchTag("NotFoundResponseError", () => Effect.succeed(`the new key ${label} is gone`)),
        Effect.catchAll(() => disableNew(hash, label))
      )

    // --- phase one ------------------------------------------------------------------------------------
    const rotate = (c: RotationCandidate): Engine.PlannedOperation["run"] =>
      Effect.gen(function*() {
        const start = startRecord(c, 0)
        const action = rotateAction(start)
        const read = yield* Effect.either(prepare)
        if (Either.isLeft(read)) return [keyItem(c.hash, action, "failed", `the journal could not be read (${read.left}): nothing was done`)]
        const prepared = read.right
        const latest = prepared.fresh.rotations.get(c.hash)
        if (latest?.stage === "delivered") {
          return { items: [keyItem(c.hash, action, "already-done", `rotated by an earlier run: ${latest.newLabel}`)], record: latest }
        }
        const adopted = prepared.adopted.get(c.hash)
        if (adopted !== undefined) return yield* adopt(adopted)
        const notes = prepared.notes.get(c.hash) ?? []
        const removed = prepared.removed
        const prefix = notes.length > 0 ? `${notes.join("; ")}; ` : ""
        const failed = (reason: string, record: RotationRecord) => ({ items: [keyItem(c.hash, action, "failed", prefix + reason)], record })
        const taken = c.nameTakenBy
        if (taken !== null && !removed.has(taken) && !prepared.fresh.replacements.has(taken)) {
          return failed(
            `a key named ${c.newName} already exists in ${c.workspace}: rotated by another job? The old key is untouched; ` +
              `rename that key, or choose another --suffix`,
            latest ?? startRecord(c, now)
          )
        }
        const reset = c.limitReset === null ? Option.some(null) : Schema.decodeUnknownOption(LimitReset)(c.limitReset)
        if (Option.isNone(reset)) {
          return failed(`its limit reset "${c.limitReset}" is not one this version can copy; the old key is untouched`, startRecord(c, now))
        }
        const startedAt = yield* Clock.currentTimeMillis
        const creating = startRecord(c, startedAt)
        const key = rotateKey(c.hash)
        // every write of this operation is under the run's lease: once another runner holds the job, this one stops
        const lease = Option.getOrUndefined(yield* FiberRef.get(Engine.currentLease))
        // the hash of a key that now exists is in the journal before anything else can happen
        const made: Made = yield* Effect.uninterruptible(Effect.gen(function*() {
          const before = yield* Effect.either(journal.mark(jobId, key, "in-flight", { record: { ...creating } }, lease))
          if (Either.isLeft(before)) {
            return Either.left(
              before.left._tag === "LeaseHeldError"
                ? { _tag: "LeaseLost" as const, error: before.left, removed: "nothing was made" }
                : { _tag: "Unrecorded" as const, reason: before.left.message }
            )
          }
          const answer = yield* Effect.either(keys.create({
            name: c.newName,
            workspaceId: c.workspaceId,
            ...(c.creatorUserId !== null ? { creatorUserId: c.creatorUserId } : {}),
            limit: c.limit,
            limitReset: reset.value,
            includeByokInLimit: c.includeByokInLimit
          }))
          if (Either.isLeft(answer)) return Either.left({ _tag: "NotMade" as const, error: answer.left })
          const created = new RotationRecord({ ...creating, stage: "created", newHash: answer.right.data.hash, newLabel: answer.right.data.label })
          const after = yield* Effect.either(journal.mark(jobId, key, "in-flight", { record: { ...created } }, lease))
          if (Either.isLeft(after) && after.left._tag === "LeaseHeldError") {
            // the runner holding the job now never learns of this key: it goes (nobody was given its secret)
            return Either.left({ _tag: "LeaseLost" as const, error: after.left, removed: yield* removeNew(created.newHash!, created.newLabel!) })
          }
          if (Either.isLeft(after)) {
            // a key whose hash the journal does not hold is not handed out
            const disabled = yield* disableNew(created.newHash!, created.newLabel!)
            return Either.left({ _tag: "MadeUnrecorded" as const, reason: after.left.message, disabled, created })
          }
          return Either.right({ created, secret: answer.right.key })
        }))
        if (Either.isLeft(made)) {
          const failure = made.left
          if (failure._tag === "LeaseLost") {
            yield* Effect.logWarning(`key rotation: job ${jobId} was taken over while rotating ${c.name} (${c.label}): ${failure.removed}`)
            return yield* Effect.fail(failure.error)
          }
          if (failure._tag === "Unrecorded") {
            return failed(
              `the journal could not record the attempt (${failure.reason}): nothing was made; the old key is untouched`,
              latest ?? creating
            )
          }
          if (failure._tag === "MadeUnrecorded") {
            const { created, disabled, reason } = failure
            return failed(
              `the journal could not record the new key (${reason}): ${disabled}; the next run deletes it. The old key is untouched`,
              new RotationRecord({ ...created, stage: "undelivered", reason: "the journal could not record it" })
            )
          }
          const error = failure.error
          return failed(
            RetryPolicy.isAmbiguous(error)
              ? `the API did not say whether it made the new key (${error.message}); it is not asked again blindly: the next run ` +
                `looks for a key named ${c.newName} made now, deletes it, then makes a fresh one. The old key is untouched`
              : `the new key could not be made: ${error.message}. The old key is untouched`,
            creating
          )
        }
        const { created, secret } = made.right
        const newLabel = created.newLabel!
        const undelivered = (reason: string) =>
          Effect.gen(function*() {
            const disabled = yield* disableNew(created.newHash!, newLabel)
            const record = new RotationRecord({ ...created, stage: "undelivered", reason })
            return failed(`${reason}; ${disabled}; the old key is untouched`, record)
          })
        // a copy that is not faithful is not handed out
        if (c.guardrailId !== null) {
          const assigned = yield* guardrails.assignKeys({ id: c.guardrailId, keyHashes: [created.newHash!] }).pipe(
            Effect.as(undefined),
            Effect.catchAll((error) => Effect.succeed(error.message))
          )
          if (assigned !== undefined) return yield* undelivered(`guardrail ${c.guardrailId} could not be assigned to the new key: ${assigned}`)
        }
        if (sink === undefined) return yield* undelivered("no place for the secret was given")
        const delivered = yield* sink.deliver({
          oldHash: c.hash,
          newHash: created.newHash!,
          name: c.newName,
          oldName: c.name,
          workspace: c.workspace,
          workspaceId: c.workspaceId,
          label: newLabel,
          secret
        }).pipe(
          Effect.as(undefined),
          Effect.catchAll((error) => Effect.succeed(error.message)),
          Effect.onInterrupt(() =>
            Effect.gen(function*() {
              const outcome = yield* undelivered("interrupted while delivering the secret")
              yield* Effect.ignore(
                journal.mark(jobId, key, "failed", { items: outcome.items.map((i) => ({ ...i })), record: { ...outcome.record } }, lease)
              )
            })
          )
        )
        if (delivered !== undefined) return yield* undelivered(delivered)
        const deliveredAt = yield* Clock.currentTimeMillis
        const record = new RotationRecord({ ...created, stage: "delivered", deliveredAt })
        return {
          items: [
            keyItem(
              c.hash,
              action,
              "done",
              `${prefix}new key ${newLabel} delivered to ${sink.describe}; the old key stays enabled until ${iso(deliveredAt + grace)}`
            )
          ],
          record
        }
      }).pipe(Effect.map((outcome) => Array.isArray(outcome) ? outcome : { items: outcome.items, record: { ...outcome.record } }))

    /** An unfinished attempt whose old key is no longer selected: its replacement is removed, nothing made. */
    const abandon = (record: RotationRecord): Engine.PlannedOperation["run"] =>
      Effect.gen(function*() {
        const read = yield* Effect.either(prepare)
        if (Either.isLeft(read)) {
          return [keyItem(record.oldHash, rotateAction(record), "failed", `the journal could not be read (${read.left}): nothing was done`)]
        }
        const prepared = read.right
        const adopted = prepared.adopted.get(record.oldHash)
        if (adopted !== undefined) return yield* adopt(adopted)
        const notes = prepared.notes.get(record.oldHash) ?? []
        return {
          items: [
            keyItem(
              record.oldHash,
              rotateAction(record),
              "skipped",
              [`the old key is no longer selected (gone, disabled or changed): not rotated`, ...notes].join("; ")
            )
          ],
          record: { ...new RotationRecord({ ...record, stage: "abandoned" }) }
        }
      })

    for (const c of current.keys) {
      const record = before.rotations.get(c.hash)
      if (before.replacements.has(c.hash) || record?.stage === "delivered" || planned.has(c.hash)) continue
      planned.add(c.hash)
      operations.push({ key: rotateKey(c.hash), payload: { ...c, reasons: [...c.reasons] }, items: 1, run: rotate(c) })
    }
    for (const record of before.rotations.values()) {
      if (planned.has(record.oldHash) || !["creating", "created", "undelivered"].includes(record.stage)) continue
      operations.push({ key: rotateKey(record.oldHash), payload: { ...record }, items: 1, run: abandon(record) })
    }
    if (operations.length > 0 && sink === undefined) {
      return yield* new InvalidRequestError({
        operation: KIND,
        issue: `${operations.length} keys to rotate but no place for their secrets: give secretsTo (--secrets-to FILE) or ` +
          `secretsCommand (--secrets-command CMD); nothing was changed`
      })
    }
    if (operations.length > 0 && sink !== undefined) {
      yield* sink.check.pipe(Effect.mapError((error) => new InvalidRequestError({ operation: KIND, issue: `${error.message}; nothing was changed` })))
    }

    // --- phase two ------------------------------------------------------------------------------------
    const retire = (record: RotationRecord): Engine.PlannedOperation["run"] =>
      Effect.gen(function*() {
        const action = retireAction(spec, record)
        const item = (outcome: Engine.ReportItem["outcome"], reason: string) => [keyItem(record.oldHash, action, outcome, reason)]
        const read = yield* Effect.either(prepare)
        if (Either.isLeft(read)) return item("failed", `the journal could not be read (${read.left}): nothing was done`)
        if (read.right.fresh.retired.has(record.oldHash)) return item("already-done", "retired by an earlier run")
        // never leave the holder with nothing: the replacement must still be there and enabled
        const replacement = yield* Effect.either(keys.get({ hash: record.newHash! }))
        if (replacement._tag === "Left" || replacement.right.data.disabled) {
          const why = replacement._tag === "Left"
            ? replacement.left._tag === "NotFoundResponseError" ? "is gone" : `could not be read (${replacement.left.message})`
            : "is disabled"
          return item("failed", `its replacement ${record.newLabel} ${why}: the old key is left working; enable the replacement or rotate again`)
        }
        const change = spec.deleteOld
          ? Effect.asVoid(keys.delete({ hash: record.oldHash }))
          : Effect.asVoid(keys.update({ hash: record.oldHash, disabled: true }))
        return yield* change.pipe(
          Effect.as(item("done", `its grace ended ${iso(record.deliveredAt! + grace)}; replacement ${record.newLabel} is in use`)),
          Effect.catchTag("NotFoundResponseError", () => Effect.succeed(item("already-done", "the old key is already gone"))),
          Effect.catchAll((error) => Effect.succeed(item("failed", error.message)))
        )
      })

    for (const record of before.rotations.values()) {
      if (record.stage !== "delivered" || before.retired.has(record.oldHash)) continue
      const due = record.deliveredAt! + grace
      if (due <= now) {
        operations.push({ key: retireKey(record.oldHash), payload: { ...record }, items: 1, run: retire(record) })
      } else {
        items.push(keyItem(record.oldHash, retireAction(spec, record), "waiting", `its grace ends ${iso(due)} (replacement ${record.newLabel})`))
      }
    }
    return yield* Engine.run({ kind: KIND, spec, unit: "changes", operations, extraItems: items }, { ...options, jobId })
  })

/**
 * Apply a spec or a saved plan: the journal of the job (`jobId`) decides what is rotated already, so
 * a re-run never makes a second replacement; what is due in phase two is done, what is waiting is
 * reported (outcome "waiting", with when). A saved plan's keys are listed again first; the ones no
 * longer selected are skipped.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: ApplyOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: KeyRotationPlan,
    plan: (spec, o) => plan(spec, { ...o, jobId: options.jobId }),
    execute: (p, stale, o) => execute(p, stale, { ...o, ...(options.sink ? { sink: options.sink } : {}) }),
    recheck: (saved, concurrency) =>
      Effect.gen(function*() {
        const fresh = yield* planFrom(saved.spec, saved.now, concurrency, options.jobId)
        const still = new Map(fresh.keys.map((k) => [k.hash, k]))
        const stale = saved.keys.filter((k) => !still.has(k.hash)).map((k) =>
          keyItem(
            k.hash,
            rotateAction({ oldName: k.name, oldLabel: k.label, workspace: k.workspace, newName: k.newName }),
            "skipped",
            "no longer applies: the key is gone, disabled, rotated or no longer selected"
          )
        )
        return { plan: new KeyRotationPlan({ ...fresh, keys: saved.keys.filter((k) => still.has(k.hash)).map((k) => still.get(k.hash)!) }), stale }
      })
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

const limitText = (c: RotationCandidate) => c.limit === null ? "no limit" : `limit ${c.limit} USD${c.limitReset ? ` ${c.limitReset}` : ""}`

/**
 * The plan's lines: the keys to rotate (each with what it copies and why), then phase two due and waiting.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: KeyRotationPlan): ReadonlyArray<string> => {
  const spec = plan.spec
  const sink = sinkOf(spec)
  const retire = spec.deleteOld ? "deleted" : "disabled"
  const lines = [
    `~ rotate ${plural(plan.keys.length, "key")} in ${plural(new Set(plan.keys.map((k) => k.workspace)).size, "workspace")}: ` +
    `new secrets to ${sink?.describe ?? "(no place given: --secrets-to or --secrets-command)"}; ` +
    `old keys ${retire} ${spec.grace ?? DEFAULT_GRACE} after delivery`
  ]
  for (const c of plan.keys.slice(0, 50)) {
    lines.push(
      `  + ${c.name} (${c.label}) in ${c.workspace} → ${c.newName}: ${limitText(c)}` +
        `${c.includeByokInLimit ? ", BYOK in limit" : ""}${c.guardrailId ? `, guardrail ${c.guardrailId}` : ""}` +
        `${c.creatorUserId ? `, for ${c.creatorUserId}` : ""} (${c.reasons.join(", ")})`
    )
  }
  if (plan.keys.length > 50) lines.push(`  … and ${plan.keys.length - 50} more keys (all in --json and --out)`)
  const grace = graceOf(spec)
  const due = plan.pending.filter((r) => r.deliveredAt! + grace <= plan.now)
  const waiting = plan.pending.filter((r) => r.deliveredAt! + grace > plan.now)
  if (due.length > 0) lines.push(`- ${spec.deleteOld ? "delete" : "disable"} ${plural(due.length, "old key")} whose grace has passed:`)
  for (const r of due.slice(0, 50)) lines.push(`  - ${r.oldName} (${r.oldLabel}) in ${r.workspace}, replaced by ${r.newLabel}`)
  for (const r of waiting.slice(0, 50)) {
    lines.push(`  = waiting: ${r.oldName} (${r.oldLabel}) in ${r.workspace} until ${iso(r.deliveredAt! + grace)}`)
  }
  return lines
}

/**
 * Nothing to rotate and nothing pending.
 *
 * @since 0.1.0
 * @category guards
 */
export const isEmpty = (plan: KeyRotationPlan) => plan.keys.length === 0 && plan.pending.length === 0

/**
 * The key-rotation job, one entry of the job table.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"key-rotation", KeyRotationSpec, KeyRotationPlan, JobError | JournalError> = {
  kind: KIND,
  spec: KeyRotationSpec,
  planSchema: KeyRotationPlan,
  unit: "changes",
  destructive: true,
  plan,
  apply,
  describe,
  isEmpty
}
