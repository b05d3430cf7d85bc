/**
 * Throughput of `workspaces.get` at concurrency 16 against the simulator (no latency, own process):
 * ours vs the official `@openrouter/sdk` vs raw `fetch`, interleaved rounds, median of rounds.
 *
 *   npm run bench
 */
import { NodeHttpClient } from "@effect/platform-node"
import { OpenRouter } from "@openrouter/sdk"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const CONCURRENCY = 16
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 6000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

const sim = await spawnSimulator({ seed: "bench" })
const id = "default"

/** Run `count` calls of `call` with `CONCURRENCY` workers; returns requests per second. */
const measure = async (call: () => Promise<unknown>, count: number) => {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await call()
    })
  )
  return count / ((performance.now() - started) / 1000)
}

// ours: one runtime, the layer built once, each call an Effect run on it
const runtime = ManagedRuntime.make(
  Workspaces.Default.pipe(
    Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
)
// the same shape as the others: CONCURRENCY workers, each calling in a loop
const ours = async (count: number) => {
  const started = performance.now()
  await runtime.runPromise(
    Effect.flatMap(Workspaces, (workspaces) => {
      let next = 0
      const worker = Effect.whileLoop({
        while: () => next++ < count,
        body: () => workspaces.get({ id }),
        step: () => {}
      })
      return Effect.all(Array.from({ length: CONCURRENCY }, () => worker), { concurrency: "unbounded", discard: true })
    })
  )
  return count / ((performance.now() - started) / 1000)
}

const sdk = new OpenRouter({ apiKey: sim.managementKey, serverURL: sim.baseUrl })
const official = (count: number) => measure(() => sdk.workspaces.get({ id }), count)

const url = `${sim.baseUrl}/workspaces/${id}`
const headers = { authorization: `Bearer ${sim.managementKey}`, accept: "application/json" }
const rawFetch = (count: number) =>
  measure(async () => {
    const response = await fetch(url, { headers })
    if (!response.ok) throw new Error(`status ${response.status}`)
    return response.json()
  }, count)

const contenders = { "openrouter-effect": ours, "@openrouter/sdk": official, "raw fetch": rawFetch }
const results: Record<string, Array<number>> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))

// warm up every contender (JIT, connection pools), then interleave rounds so drift hits all alike
for (const run of Object.values(contenders)) await run(1000)
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) results[name]!.push(await run(REQUESTS_PER_ROUND))
}
await runtime.dispose()
await sim.stop()

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
const fmt = (n: number) => n.toFixed(0).padStart(8)
console.log(`\nworkspaces.get, concurrency ${CONCURRENCY}, ${ROUNDS} rounds × ${REQUESTS_PER_ROUND} requests (median req/s)`)
console.log(`${"client".padEnd(20)} ${"req/s".padStart(8)}  vs sdk   vs fetch`)
for (const [name, value] of Object.entries(m)) {
  console.log(
    `${name.padEnd(20)} ${fmt(value)}  ${(value / m["@openrouter/sdk"]!).toFixed(2)}×   ${(value / m["raw fetch"]!).toFixed(2)}×`
  )
}
const ratioSdk = m["openrouter-effect"]! / m["@openrouter/sdk"]!
const ratioFetch = m["openrouter-effect"]! / m["raw fetch"]!
console.log(
  `\ntargets: ≥ 1.30× sdk → ${ratioSdk.toFixed(2)}× ${ratioSdk >= 1.3 ? "ok" : "MISSED"}; ≥ 0.85× fetch → ${
    ratioFetch.toFixed(2)
  }× ${ratioFetch >= 0.85 ? "ok" : "MISSED"}`
)
process.exit(0)
