/**
 * Workspace-scoped file storage for the simulator. Seeded files are derived from the seed on demand
 * (a million of them cost no memory); only uploads and deletions are kept. Seeded files are
 * "server-created" and downloadable: their content is generated as a stream of chunks.
 */
import { Stream } from "effect"
import { base62, fromBase62, hash, prng, toBase62 } from "./random.ts"
import type { OrganizationState } from "./state.ts"

export interface FileStoreOptions {
  /** Seeded (downloadable) files. Default 60. */
  readonly count?: number
  /** Where seeded files live: spread over every workspace (default) or all in the default one. */
  readonly placement?: "spread" | "default"
  /** Extra seeded files in the default workspace, e.g. a 100 MB one for a download benchmark. */
  readonly extra?: ReadonlyArray<{ readonly filename: string; readonly sizeBytes: number; readonly mimeType: string }>
}

export interface FileRecord {
  /** Position in creation order; the listing order. */
  readonly ord: number
  readonly id: string
  readonly workspaceId: string
  readonly filename: string
  readonly mimeType: string
  readonly sizeBytes: number
  readonly createdAt: number
  readonly downloadable: boolean
}

const KINDS: ReadonlyArray<{ ext: string; mime: string; stem: ReadonlyArray<string> }> = [
  { ext: "pdf", mime: "application/pdf", stem: ["report", "invoice", "contract", "paper"] },
  { ext: "png", mime: "image/png", stem: ["screenshot", "chart", "logo"] },
  { ext: "jpg", mime: "image/jpeg", stem: ["photo", "scan"] },
  { ext: "webp", mime: "image/webp", stem: ["thumbnail"] },
  { ext: "csv", mime: "text/csv", stem: ["export", "metrics", "users"] },
  { ext: "json", mime: "application/json", stem: ["config", "response", "dataset"] },
  { ext: "jsonl", mime: "application/x-ndjson", stem: ["batch", "events", "eval"] },
  { ext: "md", mime: "text/markdown", stem: ["notes", "readme", "summary"] },
  { ext: "txt", mime: "text/plain", stem: ["log", "transcript", "tmp"] },
  { ext: "tmp", mime: "text/plain", stem: ["scratch", "cache"] },
  { ext: "mp3", mime: "audio/mpeg", stem: ["call", "meeting"] },
  { ext: "wav", mime: "audio/wav", stem: ["sample"] },
  { ext: "docx", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", stem: ["draft", "memo"] },
  { ext: "xlsx", mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stem: ["budget", "plan"] }
]

const ID_PREFIX = "or_file_"
const ORD_WIDTH = 6
const DAY = 86_400_000
const CHUNK = 64 * 1024

export class FileStore {
  private readonly seedHash: number
  private readonly seeded: number
  private readonly extra: NonNullable<FileStoreOptions["extra"]>
  private readonly placement: "spread" | "default"
  private readonly seededWorkspaces: ReadonlyArray<string>
  private readonly newest: number
  private readonly uploads = new Map<number, FileRecord>()
  private readonly deleted = new Set<number>()
  private nextOrd: number

  constructor(seed: string, private readonly state: OrganizationState, options: FileStoreOptions = {}) {
    this.seedHash = hash(`files:${seed}`)
    this.seeded = options.count ?? 60
    this.extra = options.extra ?? []
    this.placement = options.placement ?? "spread"
    this.seededWorkspaces = [...state.workspaces.keys()]
    // seeded files span the two years up to the start of the current hour
    this.newest = Math.floor(Date.now() / 3_600_000) * 3_600_000
    this.nextOrd = this.seeded + this.extra.length
  }

  private idOf(ord: number) {
    return `${ID_PREFIX}${toBase62(ord, ORD_WIDTH)}${base62(prng(this.seedHash ^ Math.imul(ord + 1, 0x9e3779b1)), 16)}`
  }

  private seededWorkspaceOf(ord: number) {
    if (ord >= this.seeded || this.placement === "default") return this.state.defaultWorkspaceId
    return this.seededWorkspaces[ord % this.seededWorkspaces.length]!
  }

  /** The record at a position, if it exists (not deleted, workspace still there). */
  private at(ord: number): FileRecord | undefined {
    if (this.deleted.has(ord)) return undefined
    let record = this.uploads.get(ord)
    if (!record && ord >= 0 && ord < this.seeded + this.extra.length) record = this.seededRecord(ord)
    if (!record || !this.state.workspaces.has(record.workspaceId)) return undefined
    return record
  }

  private seededRecord(ord: number): FileRecord {
    const id = this.idOf(ord)
    if (ord >= this.seeded) {
      const extra = this.extra[ord - this.seeded]!
      return {
        ord,
        id,
        workspaceId: this.state.defaultWorkspaceId,
        filename: extra.filename,
        mimeType: extra.mimeType,
        sizeBytes: extra.sizeBytes,
        createdAt: this.newest,
        downloadable: true
      }
    }
    const random = prng(this.seedHash + ord * 7919)
    const kind = KINDS[Math.floor(random() * KINDS.length)]!
    const stem = kind.stem[Math.floor(random() * kind.stem.length)]!
    const age = Math.floor(((this.seeded - ord) / this.seeded) * 730 * DAY)
    return {
      ord,
      id,
      workspaceId: this.seededWorkspaceOf(ord),
      filename: `${stem}-${ord}.${kind.ext}`,
      mimeType: kind.mime,
      sizeBytes: 1024 + Math.floor(random() ** 3 * 5 * 1024 * 1024),
      createdAt: this.newest - age,
      downloadable: true
    }
  }

  /** A file by id in a workspace. */
  get(workspaceId: string, id: string): FileRecord | undefined {
    if (!id.startsWith(ID_PREFIX)) return undefined
    const ord = fromBase62(id.slice(ID_PREFIX.length, ID_PREFIX.length + ORD_WIDTH))
    if (!Number.isInteger(ord)) return undefined
    const record = this.at(ord)
    return record && record.id === id && record.workspaceId === workspaceId ? record : undefined
  }

  /** The position right after the file with this id (for `after` cursors); undefined if unknown. */
  ordOf(id: string): number | undefined {
    if (!id.startsWith(ID_PREFIX)) return undefined
    const ord = fromBase62(id.slice(ID_PREFIX.length, ID_PREFIX.length + ORD_WIDTH))
    return Number.isInteger(ord) && ord < this.nextOrd && this.idOf(ord) === id ? ord : undefined
  }

  /** Up to `limit` files of a workspace after position `after`, and whether more follow. */
  page(workspaceId: string, after: number, limit: number): { files: Array<FileRecord>; hasMore: boolean } {
    const files: Array<FileRecord> = []
    for (const ord of this.positions(workspaceId, after)) {
      const record = this.at(ord)
      if (!record || record.workspaceId !== workspaceId) continue
      if (files.length === limit) return { files, hasMore: true }
      files.push(record)
    }
    return { files, hasMore: false }
  }

  /** Candidate positions of a workspace's files after `after`, in order. */
  private *positions(workspaceId: string, after: number): Generator<number> {
    const start = after + 1
    const spread = this.placement === "spread"
    const index = this.seededWorkspaces.indexOf(workspaceId)
    if (spread && index >= 0) {
      const n = this.seededWorkspaces.length
      let ord = start + ((index - (start % n)) + n) % n
      for (; ord < this.seeded; ord += n) yield ord
    } else if (!spread && workspaceId === this.state.defaultWorkspaceId) {
      for (let ord = start; ord < this.seeded; ord++) yield ord
    }
    if (workspaceId === this.state.defaultWorkspaceId) {
      for (let ord = Math.max(start, this.seeded); ord < this.seeded + this.extra.length; ord++) yield ord
    }
    for (const ord of this.uploads.keys()) if (ord >= start) yield ord
  }

  /** Store an uploaded file (not downloadable: only server-created files are). */
  add(workspaceId: string, filename: string, mimeType: string, sizeBytes: number): FileRecord {
    const ord = this.nextOrd++
    const record: FileRecord = {
      ord,
      id: this.idOf(ord),
      workspaceId,
      filename,
      mimeType,
      sizeBytes,
      createdAt: Date.now(),
      downloadable: false
    }
    this.uploads.set(ord, record)
    return record
  }

  delete(record: FileRecord) {
    this.uploads.delete(record.ord)
    this.deleted.add(record.ord)
  }

  /** Every live file of a workspace (for tests). */
  list(workspaceId: string): Array<FileRecord> {
    return this.page(workspaceId, -1, Number.MAX_SAFE_INTEGER).files
  }

  /** The content of a server-created file, generated chunk by chunk. */
  content(record: FileRecord): Stream.Stream<Uint8Array> {
    const header = new TextEncoder().encode(headerOf(record.mimeType))
    const filler = new Uint8Array(CHUNK).fill(0x20)
    filler.set(header.subarray(0, CHUNK))
    const body = new Uint8Array(CHUNK).fill(0x20)
    const chunks = Math.ceil(record.sizeBytes / CHUNK)
    return Stream.range(0, chunks - 1).pipe(
      Stream.map((i) => {
        const chunk = i === 0 ? filler : body
        const size = Math.min(CHUNK, record.sizeBytes - i * CHUNK)
        return size === CHUNK ? chunk : chunk.subarray(0, size)
      })
    )
  }
}

const headerOf = (mime: string) => {
  switch (mime) {
    case "application/pdf":
      return "%PDF-1.7\n"
    case "application/json":
      return "{\"generated\": true}"
    case "text/csv":
      return "id,name\n1,a\n"
    case "text/markdown":
      return "# Generated\n"
    default:
      return ""
  }
}
