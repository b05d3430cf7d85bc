/**
 * File cleanup: select files across workspaces by age, name, type, size and flags; plan (count,
 * bytes, a sample); apply deletes through the engine. A file outside the selection can never be
 * deleted: the delete step checks the same predicate again on the planned metadata.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Stream } from "effect"
import { Files } from "../Files.ts"
import { globToRegExp, selectWorkspaces, type WorkspaceScope } from "./Selection.ts"
import * as Engine from "./Engine.ts"

export interface Selection {
  /** "all" (default) or workspace ids, slugs and globs. */
  readonly workspaces?: WorkspaceScope
  /** Files created more than this long ago. */
  readonly olderThan?: Duration.DurationInput
  /** Files created before this instant (ISO string or Date). */
  readonly createdBefore?: string | Date
  /** Filename glob, e.g. `*.tmp`. */
  readonly name?: string
  /** MIME type or glob, e.g. `text/*`. */
  readonly mimeType?: string
  readonly minSize?: number
  readonly maxSize?: number
  readonly downloadable?: boolean
  readonly provider?: "openai" | "anthropic"
}

export interface FileRef {
  readonly id: string
  readonly workspaceId: string
  readonly filename: string
  readonly mimeType: string
  readonly sizeBytes: number
  readonly createdAt: string
  readonly downloadable: boolean
}

export interface CleanupPlan {
  readonly selection: Selection
  /** The instant `olderThan`/`createdBefore` resolved to when planned (ms). */
  readonly cutoff: number | undefined
  readonly files: ReadonlyArray<FileRef>
  readonly count: number
  readonly bytes: number
  readonly sample: ReadonlyArray<FileRef>
}

/** The selection as a predicate over file metadata (the single source of truth for what is deleted). */
export const matcher = (selection: Selection, cutoff: number | undefined) => {
  const name = selection.name === undefined ? undefined : globToRegExp(selection.name)
  const mime = selection.mimeType === undefined ? undefined : globToRegExp(selection.mimeType)
  return (file: FileRef): boolean =>
    (cutoff === undefined || Date.parse(file.createdAt) < cutoff) &&
    (name === undefined || name.test(file.filename)) &&
    (mime === undefined || mime.test(file.mimeType)) &&
    (selection.minSize === undefined || file.sizeBytes >= selection.minSize) &&
    (selection.maxSize === undefined || file.sizeBytes <= selection.maxSize) &&
    (selection.downloadable === undefined || file.downloadable === selection.downloadable)
}

const cutoffOf = (selection: Selection, now: number) => {
  const cutoffs = [
    selection.olderThan === undefined ? undefined : now - Duration.toMillis(selection.olderThan),
    selection.createdBefore === undefined ? undefined : new Date(selection.createdBefore).getTime()
  ].filter((c): c is number => c !== undefined)
  return cutoffs.length === 0 ? undefined : Math.min(...cutoffs)
}

export const plan = (selection: Selection) =>
  Effect.gen(function*() {
    const files = yield* Files
    const cutoff = cutoffOf(selection, Date.now())
    const matches = matcher(selection, cutoff)
    const found: Array<FileRef> = []
    yield* Stream.runForEach(selectWorkspaces(selection.workspaces), (workspace) =>
      Stream.runForEach(
        files.stream({ workspaceId: workspace.id, pageSize: 1000 }),
        (file) =>
          Effect.sync(() => {
            const ref: FileRef = {
              id: file.id,
              workspaceId: workspace.id,
              filename: file.filename,
              mimeType: file.mimeType,
              sizeBytes: file.sizeBytes,
              createdAt: file.createdAt,
              downloadable: file.downloadable
            }
            if (matches(ref)) found.push(ref)
          })
      ))
    const result: CleanupPlan = {
      selection,
      cutoff,
      files: found,
      count: found.length,
      bytes: found.reduce((n, f) => n + f.sizeBytes, 0),
      sample: found.slice(0, 10)
    }
    return result
  })

export const apply = (input: CleanupPlan | Selection, options: Engine.ApplyOptions = {}) =>
  Effect.gen(function*() {
    const files = yield* Files
    const current = "files" in input && options.jobId === undefined ? input : yield* plan("files" in input ? input.selection : input)
    // checked again right before each delete: nothing outside the selection can be deleted
    const matches = matcher(current.selection, current.cutoff)
    const item = (file: FileRef, outcome: Engine.ReportItem["outcome"], reason?: string) =>
      new Engine.ReportItem({
        kind: "file",
        key: file.id,
        action: `delete ${file.filename}`,
        outcome,
        ...(reason !== undefined ? { reason } : {})
      })
    const operations = current.files.map((file): Engine.PlannedOperation => ({
      key: `delete:${file.id}`,
      payload: file,
      run: !matches(file)
        ? Effect.succeed([item(file, "skipped", "outside the selection")])
        : files.delete({ fileId: file.id, workspaceId: file.workspaceId }).pipe(
          Effect.as([item(file, "done")]),
          Effect.catchTag("NotFoundResponseError", () => Effect.succeed([item(file, "already-done", "already gone")])),
          Effect.catchAll((error) => Effect.succeed([item(file, "failed", error.message)]))
        )
    }))
    return yield* Engine.apply("file-cleanup", current.selection, operations, [], options)
  })
