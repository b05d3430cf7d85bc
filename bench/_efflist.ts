// @ts-nocheck
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted, Stream, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { OpenRouterFileList } from "../src/FileDomain.ts"
const decode = Schema.decodeUnknownSync(OpenRouterFileList, { onExcessProperty: "ignore", errors: "all" })
import { Files } from "../src/Files.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench-list", files: { count: Number(process.env.COUNT ?? 1000000), placement: "default" } })
const rt = ManagedRuntime.make(Files.Default.pipe(Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })), Layer.provideMerge(NodeHttpClient.layerUndici)))
const files = await rt.runPromise(Files)
if (process.env.NOREG) { const reg = (globalThis as any)["effect/GlobalValue"].get("@effect/platform/HttpClient/responseRegistry"); reg.register = () => {}; reg.unregister = () => {} }
const base = process.memoryUsage().rss
let peak = base
const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
const started = performance.now()
let n = 0
if (process.env.MODE === "effraw") {
  const { request } = await import("undici")
  n = await rt.runPromise(Effect.gen(function*() {
    let cursor, n = 0
    while (true) {
      const text = yield* Effect.promise(() => request(`${sim.baseUrl}/files?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${sim.managementKey}` } }).then((r) => r.body.text()))
      const page = JSON.parse(text)
      n += page.data.length
      if (!page.has_more) break
      cursor = page.cursor
    }
    return n
  }))
} else if (process.env.MODE === "bare") {
  const http = await rt.runPromise(HttpClient.HttpClient)
  n = await rt.runPromise(Effect.gen(function*() {
    let cursor, n = 0
    while (true) {
      const text = yield* Effect.flatMap(http.execute(HttpClientRequest.get(`${sim.baseUrl}/files?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${sim.managementKey}` } })), (r) => r.text)
      const page = process.env.DECODE ? decode(JSON.parse(text)) : JSON.parse(text)
      n += page.data.length
      if (!(page.has_more ?? page.hasMore)) break
      cursor = page.cursor
    }
    return n
  }))
} else if (process.env.MODE === "loop") {
  let cursor
  while (true) {
    const page = await rt.runPromise(files.list({ limit: 1000, ...(cursor ? { cursor } : {}) }))
    n += page.data.length
    if (!page.hasMore) break
    cursor = page.cursor
  }
} else if (process.env.MODE === "effloop") {
  n = await rt.runPromise(Effect.gen(function*() {
    let cursor, n = 0
    while (true) {
      const page = yield* files.list({ limit: 1000, ...(cursor ? { cursor } : {}) })
      n += page.data.length
      if (!page.hasMore) break
      cursor = page.cursor
    }
    return n
  }))
} else if (process.env.MODE === "pages") {
  n = await rt.runPromise(Stream.runFold(files.pages({ pageSize: 1000 }), 0, (n, p) => n + p.data.length))
} else {
  n = await rt.runPromise(Stream.runCount(files.stream({ pageSize: 1000 })))
}
clearInterval(t)
console.log(process.env.MODE ?? "stream", "items", n, "growth MB", ((peak - base) / 1048576).toFixed(0), "base", (base/1048576).toFixed(0), "items/s", (n / ((performance.now() - started) / 1000)).toFixed(0))
await sim.stop(); process.exit(0)
