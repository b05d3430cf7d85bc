// @ts-nocheck
import { request } from "undici"
import { Schema } from "effect"
import { OpenRouterFileList } from "../src/FileDomain.ts"
const decode = Schema.decodeUnknownSync(OpenRouterFileList, { onExcessProperty: "ignore", errors: "all" })
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench-list", files: { count: Number(process.env.COUNT ?? 200000), placement: "default" } })
const base = process.memoryUsage().rss
let peak = base
const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
let cursor: string | undefined, n = 0
const mode = process.env.MODE ?? "text"
while (true) {
  const ac = new AbortController(); const r = await request(`${sim.baseUrl}/files?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${sim.managementKey}` }, ...(process.env.SIGNAL ? { signal: ac.signal } : {}) })
  let body
  const registry = (globalThis as any).__reg ??= new FinalizationRegistry(() => {})
  if (mode === "text") { const holder = { r, text: await r.body.text() }; if (process.env.REG) { registry.register(holder, 1, holder); if (process.env.UNREG) registry.unregister(holder) } body = JSON.parse(holder.text) }
  else { const chunks = []; for await (const c of r.body) chunks.push(c); body = JSON.parse(Buffer.concat(chunks).toString("latin1")) }
  if (process.env.DECODE) body = decode(body)
  n += body.data.length
  if (!(body.has_more ?? body.hasMore)) break
  cursor = body.cursor ?? body.last_id ?? body.lastId
}
clearInterval(t)
console.log(mode, "items", n, "growth MB", ((peak - base) / 1048576).toFixed(0), "base", (base/1048576).toFixed(0))
await sim.stop(); process.exit(0)
