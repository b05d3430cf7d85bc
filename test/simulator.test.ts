/**
 * The simulator on its own, over plain fetch: auth, determinism, rate limit, faults, scripted
 * injection, the request log, and the files endpoints' storage rules.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"

const call = async (sim: RunningSimulator, path: string, init: RequestInit & { key?: string | null } = {}) => {
  const { key = sim.managementKey, ...rest } = init
  const response = await fetch(`${sim.baseUrl}${path}`, {
    ...rest,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(rest.headers ?? {}) }
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

describe("simulator", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "sim-test", files: { count: 30 } })
  })
  afterAll(() => sim.close())

  it("authenticates: 401 without or with an unknown key, 403/401 for a non-management key", async () => {
    expect((await call(sim, "/workspaces", { key: null })).body.error).toEqual({
      code: 401,
      message: "Missing Authentication header"
    })
    expect((await call(sim, "/workspaces", { key: "sk-or-v1-nope" })).status).toBe(401)
    // POST /workspaces documents 403; GET /workspaces does not, so it answers 401
    const create = await call(sim, "/workspaces", {
      key: sim.inferenceKey,
      method: "POST",
      body: JSON.stringify({ name: "x", slug: "x" }),
      headers: { "content-type": "application/json" }
    })
    expect(create.status).toBe(403)
    expect((await call(sim, "/workspaces", { key: sim.inferenceKey })).status).toBe(401)
  })

  it("is deterministic: the same seed gives the same organisation", async () => {
    const other = await start({ seed: "sim-test", files: { count: 30 } })
    try {
      const a = await call(sim, "/organization/members?limit=100")
      const b = await call(other, "/organization/members?limit=100")
      expect(a.body).toEqual(b.body)
      expect((await call(sim, "/files")).body.data.map((f: any) => f.id)).toEqual(
        (await call(other, "/files")).body.data.map((f: any) => f.id)
      )
      const third = await start({ seed: "another" })
      expect((await call(third, "/organization/members?limit=5")).body).not.toEqual(
        (await call(sim, "/organization/members?limit=5")).body
      )
      await third.close()
    } finally {
      await other.close()
    }
  })

  it("validates input with the API's error body", async () => {
    const bad = await call(sim, "/workspaces", {
      method: "POST",
      body: JSON.stringify({ name: "Bad", slug: "Bad Slug" }),
      headers: { "content-type": "application/json" }
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe(400)
    expect(bad.body.error.message).toContain("slug")
    expect((await call(sim, "/workspaces?limit=0")).status).toBe(400)
    expect((await call(sim, "/workspaces/default/budgets/yearly")).status).toBe(400)
  })

  it("rate limits with a token bucket: 429 with Retry-After and retry-after-ms", async () => {
    const limited = await start({ seed: "rl", rateLimit: { requestsPerSecond: 5, burst: 3 } })
    try {
      const statuses = []
      for (let i = 0; i < 6; i++) statuses.push(await call(limited, "/workspaces/default"))
      expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200])
      const refused = statuses.find((r) => r.status === 429)!
      expect(refused.body.error).toEqual({ code: 429, message: "Rate limit exceeded" })
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(Number(refused.headers.get("retry-after-ms"))).toBeGreaterThan(0)
      expect(Number(refused.headers.get("retry-after-ms"))).toBeLessThanOrEqual(200)
    } finally {
      await limited.close()
    }
  })

  it("injects seeded faults and scripted answers, and logs every request", async () => {
    const faulty = await start({ seed: "faults", faults: { rate: 0.5, statuses: [502] } })
    try {
      const statuses = []
      for (let i = 0; i < 40; i++) statuses.push((await call(faulty, "/workspaces/default")).status)
      expect(new Set(statuses)).toEqual(new Set([200, 502]))
      const again = await start({ seed: "faults", faults: { rate: 0.5, statuses: [502] } })
      const replay = []
      for (let i = 0; i < 40; i++) replay.push((await call(again, "/workspaces/default")).status)
      await again.close()
      expect(replay).toEqual(statuses)
    } finally {
      await faulty.close()
    }

    const scripted = await start({ seed: "scripted" })
    try {
      await Effect.runPromise(
        scripted.service.inject({ method: "POST", path: "/workspaces", status: 500, after: "handle" })
      )
      const lost = await call(scripted, "/workspaces", {
        method: "POST",
        body: JSON.stringify({ name: "Lost", slug: "lost" }),
        headers: { "content-type": "application/json" }
      })
      expect(lost.status).toBe(500)
      // the workspace was created even though the answer was an error
      expect((await call(scripted, "/workspaces/lost")).status).toBe(200)
      const log = await scripted.requests()
      expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        "POST /workspaces 500",
        "GET /workspaces/lost 200"
      ])
    } finally {
      await scripted.close()
    }
  })

  it("files: cursor pages, desc and before_id refused, provider shapes", async () => {
    const first = await call(sim, "/files?limit=4")
    expect(first.body.data).toHaveLength(4)
    expect(first.body.has_more).toBe(true)
    expect(first.body.first_id).toBe(first.body.data[0].id)
    expect(first.body.last_id).toBe(first.body.data[3].id)
    const second = await call(sim, `/files?limit=4&cursor=${first.body.cursor}`)
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id)
    expect((await call(sim, "/files?order=desc")).status).toBe(400)
    expect((await call(sim, `/files?before_id=${first.body.last_id}`)).status).toBe(400)
    expect((await call(sim, "/files?limit=1001")).status).toBe(400)

    const openai = await call(sim, "/files?limit=2&provider=openai")
    expect(openai.body.object).toBe("list")
    expect(typeof openai.body.data[0].created_at).toBe("number")
    expect(openai.body.data[0]).toMatchObject({ object: "file", status: "processed" })
    const anthropic = await call(sim, `/files?limit=2&provider=anthropic&after_id=${openai.body.data[0].id}`)
    expect(anthropic.body.data[0].id).toBe(openai.body.data[1].id)
    expect(anthropic.body).not.toHaveProperty("cursor")
  })

  it("files: uploads stream and are typed by content; only seeded files download", async () => {
    const upload = (bytes: Uint8Array, filename: string) => {
      const form = new FormData()
      form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }), filename)
      return call(sim, "/files", { method: "POST", body: form })
    }
    const enc = (s: string) => new TextEncoder().encode(s)
    const table: Array<[Uint8Array, string | number]> = [
      [enc("%PDF-1.7\n..."), "application/pdf"],
      [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), "image/png"],
      [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]), "image/jpeg"],
      [enc("GIF89a...."), "image/gif"],
      [enc("RIFF\0\0\0\0WEBPVP8 "), "image/webp"],
      [enc("RIFF\0\0\0\0WAVEfmt "), "audio/wav"],
      [enc("fLaC\0\0\0\0"), "audio/flac"],
      [enc("OggS\0\0\0\0"), "audio/ogg"],
      [enc("ID3\x03\0\0\0"), "audio/mpeg"],
      [enc("PK\x03\x04....word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      [enc("{\"a\": 1}"), "application/json"],
      [enc("{\"a\": 1}\n{\"a\": 2}\n"), "application/x-ndjson"],
      [enc("id,name\n1,a\n2,b\n"), "text/csv"],
      [enc("# Title\n\nSome *markdown*."), "text/markdown"],
      [enc("just words, nothing else\nsecond line"), "text/plain"],
      [new Uint8Array([0x00, 0x01, 0x02, 0xfe, 0xff, 0x80]), 400],
      [new Uint8Array([]), 400]
    ]
    for (const [bytes, expected] of table) {
      const result = await upload(bytes, "whatever.bin")
      if (typeof expected === "number") expect(result.status).toBe(expected)
      else expect([result.status, result.body.mime_type]).toEqual([200, expected])
    }
    const uploaded = await upload(enc("%PDF-1.7"), "doc.pdf")
    expect(uploaded.body.downloadable).toBe(false)
    expect((await call(sim, `/files/${uploaded.body.id}/content`)).status).toBe(400)

    const seeded = (await call(sim, "/files?limit=1")).body.data[0]
    const content = await fetch(`${sim.baseUrl}/files/${seeded.id}/content`, {
      headers: { authorization: `Bearer ${sim.managementKey}` }
    })
    expect(content.status).toBe(200)
    expect((await content.arrayBuffer()).byteLength).toBe(seeded.size_bytes)

    expect((await call(sim, `/files/${seeded.id}`, { method: "DELETE" })).body).toEqual({
      id: seeded.id,
      type: "file_deleted"
    })
    expect((await call(sim, `/files/${seeded.id}`)).status).toBe(404)
  })

  it("files: over 100 MB is 413, read as a stream", async () => {
    const total = 100 * 1024 * 1024 + 1
    const chunk = new Uint8Array(1024 * 1024).fill(0x61)
    const boundary = "----simtest"
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: application/octet-stream\r\n\r\n`
    )
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head)
      },
      pull(controller) {
        if (sent >= total) {
          controller.enqueue(tail)
          controller.close()
          return
        }
        const size = Math.min(chunk.length, total - sent)
        sent += size
        controller.enqueue(size === chunk.length ? chunk : chunk.subarray(0, size))
      }
    })
    const response = await fetch(`${sim.baseUrl}/files`, {
      method: "POST",
      body,
      duplex: "half",
      headers: { authorization: `Bearer ${sim.managementKey}`, "content-type": `multipart/form-data; boundary=${boundary}` }
    } as RequestInit)
    expect(response.status).toBe(413)
  })
})
