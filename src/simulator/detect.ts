/**
 * File type detection from the bytes (not the filename), as OpenRouter storage does: PDF, images,
 * Office documents, audio, and UTF-8 text classified as JSON, NDJSON, CSV, Markdown or plain text.
 */

/** How much of the start of a file detection looks at. */
export const HEAD_BYTES = 64 * 1024

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number>, offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b)
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")

const binary = (head: Uint8Array): string | undefined => {
  if (startsWith(head, ascii("%PDF"))) return "application/pdf"
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png"
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg"
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif"
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp"
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WAVE"), 8)) return "audio/wav"
  if (startsWith(head, ascii("fLaC"))) return "audio/flac"
  if (startsWith(head, ascii("OggS"))) return "audio/ogg"
  if (startsWith(head, ascii("ID3")) || (head.length > 1 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0)) {
    return "audio/mpeg"
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    // an Office Open XML package names its parts in the local file headers near the start
    const names = latin1(head)
    if (names.includes("word/")) return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if (names.includes("xl/")) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if (names.includes("ppt/")) return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
  }
  return undefined
}

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const textual = (text: string, complete: boolean): string => {
  const trimmed = text.trim()
  if (complete && (trimmed.startsWith("{") || trimmed.startsWith("[")) && parses(trimmed)) return "application/json"
  const lines = trimmed.split(/\r?\n/).filter((line) => line.trim().length > 0)
  // the last line of an incomplete head may be cut off
  const whole = complete ? lines : lines.slice(0, -1)
  if (whole.length >= 2 && whole.every((line) => line.trim().startsWith("{") && parses(line))) {
    return "application/x-ndjson"
  }
  const commas = whole.slice(0, 20).map((line) => line.split(",").length - 1)
  if (commas.length >= 2 && commas[0]! >= 1 && commas.every((n) => n === commas[0])) return "text/csv"
  if (/^#{1,6} \S/m.test(trimmed) || /^\s*[-*] \S/m.test(trimmed) || /\[[^\]]+\]\([^)]+\)/.test(trimmed)) {
    return "text/markdown"
  }
  return "text/plain"
}

/**
 * The MIME type of a file from its first bytes (`head`), whether the whole file was valid UTF-8,
 * and whether `head` is the whole file. `undefined`: not a supported type.
 */
export const detect = (head: Uint8Array, validUtf8: boolean, complete: boolean): string | undefined => {
  const known = binary(head)
  if (known) return known
  if (!validUtf8) return undefined
  // control characters other than whitespace mean binary data that happens to decode
  for (const byte of head.subarray(0, 4096)) {
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return undefined
  }
  return textual(new TextDecoder().decode(head), complete)
}
