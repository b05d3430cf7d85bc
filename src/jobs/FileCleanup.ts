/**
 * File cleanup: select files across workspaces by age, name, type, size and flags; plan (count,
 * bytes, a sample); apply deletes through the engine. A file outside the selection can never be
 * deleted: the delete step checks the same predicate again on the planned metadata.
 *
 * @since 0.1.0
 */
import { Effect, Schema, Stream } from "effect"
import { Files } from "../Files.ts"
import type { JobDefinition, PlanOptions } from "./Definitions.ts"
import * as Engine from "./Engine.ts"
import * as Reading from "./Reading.ts"
import { globMatcher, resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

const KIND = "file-cleanup"

/**
 * A file as planned: machine values (bytes, ISO dates).
 *
 * @since 0.1.0
 * @category models
 */
export class FileRef extends Schema.Class<FileRef>("FileRef")({
  id: Schema.String,
  workspaceId: Schema.String,
  /** The workspace's slug (reports name workspaces by slug). */
  workspace: Schema.String,
  filename: Schema.String,
  mimeType: Schema.String,
  sizeBytes: Schema.Number,
  createdAt: Schema.String,
  downloadable: Schema.Boolean
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class FileCleanupPlan extends Schema.TaggedClass<FileCleanupPlan>()("FileCleanupPlan", {
  spec: Specs.FileCleanupSpec,
  /** The instant `olderThan`/`createdBefore` resolved to when planned (ms since the epoch). */
  cutoff: Schema.optionalWith(Schema.Number, { exact: true }),
  files: Schema.Array(FileRef),
  /** Every workspace the spec selected (slugs), files in it or not. */
  workspaces: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, default: () => [] })
}) {
  get count() {
    return this.files.length
  }
  get bytes() {
    return this.files.reduce((n, f) => n + f.sizeBytes, 0)
  }
  get sample() {
    return this.files.slice(0, 10)
  }
}

type Matchable = Pick<FileRef, "filename" | "mimeType" | "sizeBytes" | "createdAt" | "downloadable">

/**
 * The selection as a predicate over file metadata (the single source of truth for what is deleted).
 *
 * @since 0.1.0
 * @category selection
 */
export const matcher = (spec: Specs.FileCleanupSpec, cutoff: number | undefined) => {
  const name = spec.name === undefined ? undefined : globMatcher(spec.name)
  const mime = spec.mimeType === undefined ? undefined : globMatcher(spec.mimeType)
  return (file: Matchable): boolean =>
    (cutoff === undefined || Date.parse(file.createdAt) < cutoff) &&
    (name === undefined || name(file.filename)) &&
    (mime === undefined || mime(file.mimeType)) &&
    (spec.minSize === undefined || file.sizeBytes >= spec.minSize) &&
    (spec.maxSize === undefined || file.sizeBytes <= spec.maxSize) &&
    (spec.downloadable === undefined || file.downloadable === spec.downloadable)
}

/**
 * The earliest of `olderThan` (from `now`) and `createdBefore`, if either is given.
 *
 * @since 0.1.0
 * @category selection
 */
export const cutoffOf = (spec: Specs.FileCleanupSpec, now: number) => {
  const cutoffs = [
    spec.olderThan === undefined ? undefined : now - Specs.ageMillis(spec.olderThan)!,
    spec.createdBefore === undefined ? undefined : Date.parse(spec.createdBefore)
  ].filter((c): c is number => c !== undefined)
  return cutoffs.length === 0 ? undefined : Math.min(...cutoffs)
}

/** Every file of the selected workspaces, listed from the server, and whether the spec selects it. */
const listFiles = (spec: Specs.FileCleanupSpec, cutoff: number | undefined, concurrency: number, reading: Reading.Reporter) =>
  Effect.gen(function*() {
    const files = yield* Files
    const selection = yield* resolveWorkspaces(KIND, spec.workspaces ?? "all")
    const matches = matcher(spec, cutoff)
    const counter = reading("workspace", selection.selected.length)
    const perWorkspace = yield* Effect.forEach(
      selection.selected,
      (workspace) => {
        // the files of one workspace, counted as they are read (the API gives no total)
        const inside = reading(`files of ${workspace.slug}`, undefined)
        return Stream.runCollect(Stream.mapEffect(files.stream({ workspaceId: workspace.id, pageSize: 1000 }), (file) => {
          const ref = new FileRef({
            id: file.id,
            workspaceId: workspace.id,
            workspace: workspace.slug,
            filename: file.filename,
            mimeType: file.mimeType,
            sizeBytes: file.sizeBytes,
            createdAt: file.createdAt,
            downloadable: file.downloadable
          })
          return Effect.as(inside.one, { ref, selected: matches(ref) })
        })).pipe(Effect.tap(() => Effect.zipRight(inside.end, counter.one)))
      },
      { concurrency }
    )
    return { files: perWorkspace.flatMap((chunk) => [...chunk]), workspaces: selection.selected.map((w) => w.slug) }
  })

/**
 * Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`.
 *
 * @since 0.1.0
 * @category planning
 */
export const plan = (input: unknown, options: PlanOptions = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.FileCleanupSpec, KIND)(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    const cutoff = cutoffOf(spec, Date.now())
    const listed = yield* listFiles(spec, cutoff, concurrency, Reading.reporter(options.events))
    return new FileCleanupPlan({
      spec,
      files: listed.files.filter((f) => f.selected).map((f) => f.ref),
      workspaces: listed.workspaces,
      ...(cutoff !== undefined ? { cutoff } : {})
    })
  }).pipe(Engine.gated(options))

const execute = (current: FileCleanupPlan, extra: ReadonlyArray<Engine.ReportItem>, options: Engine.ApplyOptions) =>
  Effect.gen(function*() {
    const files = yield* Files
    // checked again right before each delete: nothing outside the selection can be deleted
    const matches = matcher(current.spec, current.cutoff)
    const item = (file: FileRef, outcome: Engine.ReportItem["outcome"], reason?: string) =>
      new Engine.ReportItem({
        kind: "file",
        key: file.id,
        action: `delete ${file.filename} from ${file.workspace}`,
        outcome,
        ...(reason !== undefined ? { reason } : {})
      })
    const operations = current.files.map((file): Engine.PlannedOperation => ({
      key: `delete:${file.id}`,
      payload: { ...file },
      items: 1,
      run: !matches(file)
        ? Effect.succeed([item(file, "skipped", "outside the selection")])
        : files.delete({ fileId: file.id, workspaceId: file.workspaceId }).pipe(
          Effect.as([item(file, "done")]),
          Effect.catchTag("NotFoundResponseError", () => Effect.succeed([item(file, "already-done", "already gone")])),
          Effect.catchAll((error) => Effect.succeed([item(file, "failed", error.message)]))
        )
    }))
    return yield* Engine.run({ kind: KIND, spec: current.spec, unit: "files", operations, extraItems: extra }, options)
  })

/** Why a planned file is not deleted now: gone (in place already), or changed, or no longer selected. */
const staleItem = (planned: FileRef, now: { readonly ref: FileRef; readonly selected: boolean } | undefined) => {
  const item = (outcome: Engine.ReportItem["outcome"], reason: string) =>
    new Engine.ReportItem({ kind: "file", key: planned.id, action: `delete ${planned.filename} from ${planned.workspace}`, outcome, reason })
  if (now === undefined) return item("already-done", "already gone")
  const f = now.ref
  if (
    f.workspaceId !== planned.workspaceId || f.filename !== planned.filename || f.sizeBytes !== planned.sizeBytes || f.createdAt !== planned.createdAt
  ) {
    return item("skipped", "not deleted: the file changed since the plan was made; plan again")
  }
  if (!now.selected) return item("skipped", "not deleted: outside the plan's selection now")
  return undefined
}

/**
 * Apply a spec (plan, then delete) or a saved plan: the files are listed again first and only planned
 * files that still exist unchanged and selected are deleted; the others are reported with why.
 * `trusted`: a plan made moments ago in the same run.
 *
 * @since 0.1.0
 * @category applying
 */
export const apply = (input: unknown, options: Engine.ApplyJobOptions = {}) =>
  Engine.applyJob({
    kind: KIND,
    planSchema: FileCleanupPlan,
    plan,
    execute,
    recheck: (saved, concurrency) =>
      Effect.gen(function*() {
        // the saved cutoff, not a new one: the plan is applied as it was made
        const listed = yield* listFiles(saved.spec, saved.cutoff, concurrency, Reading.reporter(options.events))
        const now = new Map(listed.files.map((f) => [f.ref.id, f]))
        const stale = saved.files.flatMap((f) => {
          const item = staleItem(f, now.get(f.id))
          return item ? [item] : []
        })
        const staleIds = new Set(stale.map((i) => i.key))
        // selected now but not in the plan (uploaded since, say): said, never deleted
        const planned = new Set(saved.files.map((f) => f.id))
        const outside = listed.files.filter((f) => f.selected && !planned.has(f.ref.id)).map(({ ref }) =>
          new Engine.ReportItem({
            kind: "file",
            key: ref.id,
            action: `delete ${ref.filename} from ${ref.workspace}`,
            outcome: "skipped",
            reason: "not deleted: outside the plan (selected now, not when the plan was made); plan again"
          })
        )
        return {
          plan: new FileCleanupPlan({ ...saved, files: saved.files.filter((f) => !staleIds.has(f.id)) }),
          stale: [...stale, ...outside]
        }
      })
  })(input, options)

// --- what a person reads ---------------------------------------------------------------------------

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

/**
 * 1.1 GB, 12 KB, 512 B (decimal units).
 *
 * @since 0.1.0
 * @category describing
 */
export const formatBytes = (bytes: number) => {
  const units = ["B", "KB", "MB", "GB", "TB"]
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

/**
 * The plan's lines: "- delete 12 files, 1.1 MB from 2 workspaces", the cutoff, a sample, and the
 * workspaces it looked in.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe = (plan: FileCleanupPlan): ReadonlyArray<string> => {
  const workspaces = new Set(plan.files.map((f) => f.workspace))
  const lines = [
    `- delete ${plural(plan.count, "file")}, ${formatBytes(plan.bytes)}${plan.count > 0 ? ` from ${plural(workspaces.size, "workspace")}` : ""}`
  ]
  if (plan.cutoff !== undefined) lines.push(`  created before ${new Date(plan.cutoff).toISOString()}`)
  for (const f of plan.sample) {
    lines.push(`  - ${f.filename}  ${formatBytes(f.sizeBytes)}  ${f.createdAt.slice(0, 10)}  ${f.workspace}`)
  }
  if (plan.count > plan.sample.length) lines.push(`  … and ${plan.count - plan.sample.length} more`)
  if (plan.workspaces.length > 0) {
    lines.push(
      `  looked in ${plural(plan.workspaces.length, "workspace")}: ${plan.workspaces.slice(0, 50).join(", ")}${
        plan.workspaces.length > 50 ? ", …" : ""
      }`
    )
  }
  return lines
}

/**
 * @since 0.1.0
 * @category describing
 */
export const isEmpty = (plan: FileCleanupPlan) => plan.count === 0

/**
 * The file-cleanup job.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definition: JobDefinition<"file-cleanup", Specs.FileCleanupSpec, FileCleanupPlan> = {
  kind: KIND,
  spec: Specs.FileCleanupSpec,
  planSchema: FileCleanupPlan,
  unit: "files",
  destructive: true,
  plan,
  apply,
  describe,
  isEmpty
}
