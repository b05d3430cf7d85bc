/**
 * File cleanup: select files across workspaces by age, name, type, size and flags; plan (count,
 * bytes, a sample); apply deletes through the engine. A file outside the selection can never be
 * deleted: the delete step checks the same predicate again on the planned metadata.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema, Stream } from "effect"
import { Files } from "../Files.ts"
import * as Engine from "./Engine.ts"
import { globMatcher, resolveWorkspaces } from "./Selection.ts"
import * as Specs from "./Specs.ts"

/** A file as planned: machine values (bytes, ISO dates). */
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

export class FileCleanupPlan extends Schema.TaggedClass<FileCleanupPlan>()("FileCleanupPlan", {
  spec: Specs.FileCleanupSpec,
  /** The instant `olderThan`/`createdBefore` resolved to when planned (ms since the epoch). */
  cutoff: Schema.optionalWith(Schema.Number, { exact: true }),
  files: Schema.Array(FileRef)
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

/** The selection as a predicate over file metadata (the single source of truth for what is deleted). */
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

/** The earliest of `olderThan` (from `now`) and `createdBefore`, if either is given. */
export const cutoffOf = (spec: Specs.FileCleanupSpec, now: number) => {
  const cutoffs = [
    spec.olderThan === undefined ? undefined : now - Specs.ageMillis(spec.olderThan)!,
    spec.createdBefore === undefined ? undefined : Date.parse(spec.createdBefore)
  ].filter((c): c is number => c !== undefined)
  return cutoffs.length === 0 ? undefined : Math.min(...cutoffs)
}

/** Every file the spec selects, listed from the server. */
const listSelected = (spec: Specs.FileCleanupSpec, cutoff: number | undefined, concurrency: number) =>
  Effect.gen(function*() {
    const files = yield* Files
    const selection = yield* resolveWorkspaces("file-cleanup", spec.workspaces ?? "all")
    const matches = matcher(spec, cutoff)
    const perWorkspace = yield* Effect.forEach(selection.selected, (workspace) =>
      Stream.runCollect(Stream.filterMap(files.stream({ workspaceId: workspace.id, pageSize: 1000 }), (file) => {
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
        return matches(ref) ? Option.some(ref) : Option.none()
      })), { concurrency })
    return perWorkspace.flatMap((chunk) => [...chunk])
  })

/** Plan from a spec (an instance or its encoded form); anything else fails with `InvalidRequestError`. */
export const plan = (input: unknown, options: { readonly concurrency?: number; readonly rate?: number } = {}) =>
  Effect.gen(function*() {
    const spec = yield* Specs.decode(Specs.FileCleanupSpec, "file-cleanup")(input)
    const { concurrency } = yield* Engine.checkOptions(options)
    const cutoff = cutoffOf(spec, Date.now())
    const files = yield* listSelected(spec, cutoff, concurrency)
    return new FileCleanupPlan({ spec, files, ...(cutoff !== undefined ? { cutoff } : {}) })
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
    return yield* Engine.run({ kind: "file-cleanup", spec: current.spec, unit: "files", operations, extraItems: extra }, options)
  })

/**
 * Apply a spec (plan, then delete) or a saved plan: the files are listed again first and only planned
 * files that still exist unchanged are deleted; the others are reported as skipped. `trusted`: a plan
 * made moments ago in the same run.
 */
export const apply = Engine.applyJob({
  kind: "file-cleanup",
  planSchema: FileCleanupPlan,
  plan,
  execute,
  recheck: (saved, concurrency) =>
    Effect.gen(function*() {
      // the saved cutoff, not a new one: the plan is applied as it was made
      const now = new Map((yield* listSelected(saved.spec, saved.cutoff, concurrency)).map((f) => [f.id, f]))
      const same = (a: FileRef, b: FileRef | undefined) =>
        b !== undefined && a.workspaceId === b.workspaceId && a.filename === b.filename && a.sizeBytes === b.sizeBytes &&
        a.createdAt === b.createdAt
      const stale = saved.files.filter((f) => !same(f, now.get(f.id))).map((f) =>
        new Engine.ReportItem({
          kind: "file",
          key: f.id,
          action: `delete ${f.filename} from ${f.workspace}`,
          outcome: "skipped",
          reason: now.has(f.id) ? "no longer applies: the file changed since the plan" : "no longer applies: already gone"
        })
      )
      const plan = new FileCleanupPlan({
        spec: saved.spec,
        files: saved.files.filter((f) => same(f, now.get(f.id))),
        ...(saved.cutoff !== undefined ? { cutoff: saved.cutoff } : {})
      })
      return { plan, stale }
    })
})
