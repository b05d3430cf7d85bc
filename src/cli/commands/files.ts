/**
 * `files …`: list, show, upload, download and delete files, one command per API operation; and
 * `files cleanup`, the file-cleanup job.
 */
import { Args, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { existsSync, statSync } from "node:fs"
import { dirname, resolve } from "node:path"
import type { OpenRouterFile } from "../../FileDomain.ts"
import { Files } from "../../Files.ts"
import * as Cli from "../command.ts"
import { $, deleted, list, optionalText, some } from "../common.ts"
import { jobCommand } from "../job-commands.ts"
import { type Column, column, dateColumn, formatBytes, formatDate, listOptions, type OutputFlags, outputOptions, printRecord } from "../output.ts"

const fileId = Args.text({ name: "file-id" }).pipe(Args.withDescription("the file's id (see `files list`)"))
const workspaceOption = optionalText("workspace-id", "the workspace (default: the key's default workspace)")

const fileColumns: ReadonlyArray<Column<OpenRouterFile>> = [
  column("ID", "id", undefined, { keep: true }),
  column("NAME", "filename"),
  column("TYPE", "mimeType"),
  column("SIZE", "sizeBytes", formatBytes, { align: "right", keep: true }),
  dateColumn("CREATED", "createdAt"),
  column("DOWNLOADABLE", "downloadable", undefined, { wide: true })
]
const fileFields: ReadonlyArray<Column<OpenRouterFile>> = [
  column("ID", "id", undefined, { keep: true }),
  column("Name", "filename"),
  column("Type", "mimeType"),
  column("Size", "sizeBytes", formatBytes),
  column("Created", "createdAt", formatDate),
  column("Downloadable", "downloadable")
]
const showFile = (flags: OutputFlags) => (file: OpenRouterFile) => printRecord(file, { ...flags, fields: fileFields, id: (f) => f.id })

/** Write a stream to stdout, waiting when the pipe is full. */
const toStdout = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>) =>
  Stream.runForEach(bytes, (chunk) =>
    Effect.async<void>((resume) => {
      if (process.stdout.write(chunk)) resume(Effect.void)
      else process.stdout.once("drain", () => resume(Effect.void))
    }))

/** Where a download may go: not over a file without --force, not into a directory that does not exist. */
const checkTarget = (path: string, force: boolean) =>
  Effect.suspend(() => {
    if (path.trim() === "") return Effect.fail(Cli.usage("-o needs a path (or - for stdout)"))
    const target = resolve(path)
    if (existsSync(target) && statSync(target).isDirectory()) {
      return Effect.fail(Cli.usage(`${path} is a directory: give the file's full path`))
    }
    if (existsSync(target) && !force) return Effect.fail(Cli.usage(`${path} exists: pass --force to overwrite it`))
    if (!existsSync(dirname(target))) return Effect.fail(Cli.usage(`${dirname(target)} does not exist: create it first`))
    return Effect.void
  })

export const files = Cli.group("files", "list, show, upload, download and delete files; clean up old ones", [
  Cli.make("list", {
    config: { workspaceId: workspaceOption, ...listOptions },
    summary: "list files, newest first",
    examples: [[`${$} files list`], [`${$} files list --workspace-id research --limit 20`], [`${$} files list -q | head`]]
  }, (a) => Effect.flatMap(Files, (f) => list(a, f.stream({ ...some(a.workspaceId, "workspaceId") }), fileColumns, (file) => file.id))),
  Cli.make("get", {
    config: { fileId, workspaceId: workspaceOption, ...outputOptions },
    summary: "show a file's metadata",
    examples: [[`${$} files get file_abc123`]]
  }, (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.retrieve({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), showFile(a)))),
  Cli.make("upload", {
    config: {
      path: Args.file({ name: "path", exists: "yes" }).pipe(Args.withDescription("the file to upload")),
      workspaceId: workspaceOption,
      ...outputOptions
    },
    summary: "upload a file (streamed, up to 100 MB)",
    examples: [[`${$} files upload ./report.pdf`], [`${$} files upload ./data.csv --workspace-id research -q`, "print only the new file's id"]]
  }, (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.upload({ file: { path: a.path }, ...some(a.workspaceId, "workspaceId") }), showFile(a)))),
  Cli.make("download", {
    config: {
      fileId,
      output: Options.text("output").pipe(
        Options.withAlias("o"),
        Options.withPseudoName("PATH"),
        Options.withDescription("where to write it; - writes to stdout")
      ),
      force: Options.boolean("force").pipe(Options.withDescription("overwrite the file at PATH if there is one")),
      workspaceId: workspaceOption,
      ...outputOptions
    },
    summary: "download a file's content (written to a temporary file, then renamed: never half a file)",
    examples: [
      [`${$} files download file_abc123 -o report.pdf`],
      [`${$} files download file_abc123 -o - | head -c 100`, "to stdout"],
      [`${$} files download file_abc123 -o report.pdf --force`, "replace an existing report.pdf"]
    ]
  }, (a) =>
    Effect.flatMap(Files, (f) => {
      const scope = { fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }
      if (a.output === "-") return toStdout(f.download(scope))
      return checkTarget(a.output, a.force).pipe(
        Effect.zipRight(f.downloadTo({ ...scope, path: a.output })),
        Effect.flatMap((r) => printRecord(r, { ...a, fields: [column("Path", "path"), column("Size", "bytes", formatBytes)], id: (d) => d.path }))
      )
    })),
  Cli.make(
    "delete",
    {
      config: { fileId, workspaceId: workspaceOption, ...outputOptions },
      summary: "delete a file",
      examples: [[`${$} files delete file_abc123`]]
    },
    (a) => Effect.flatMap(Files, (f) => Effect.flatMap(f.delete({ fileId: a.fileId, ...some(a.workspaceId, "workspaceId") }), deleted(a, a.fileId)))
  ),
  jobCommand("file-cleanup")
])
