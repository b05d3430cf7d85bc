/**
 * Throughput of `workspaces.get` at concurrency 16 against the simulator (no latency, own process):
 * ours vs the official `@openrouter/sdk` vs raw `fetch`, each warmed up to its steady state, then
 * interleaved rounds, median of rounds.
 *
 *   npm run bench
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { OpenRouter } from "@openrouter/sdk"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const CONCURRENCY = 16
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 6000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
// Effect's and Schema's code paths need tens of thousands of calls before V8 has optimized them
// (throughput of ours climbs ~50 % over the first 40k requests); measure the steady state
const WARMUP = Number(process.env.BENCH_WARMUP ?? 36_000)

const sim = await spawnSimulator({ seed: "bench" })
const id = "default"

interface Figures {
  readonly perSecond: number
  /** This process's CPU time (user + system) per request: the client's cost, whatever the server does. */
  readonly cpuMicros: number
}

const timed = async (count: number, run: () => Promise<unknown>): Promise<Figures> => {
  const started = performance.now()
  const cpu = process.cpuUsage()
  await run()
  const used = process.cpuUsage(cpu)
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    cpuMicros: (used.user + used.system) / count
  }
}

/** Run `count` calls of `call` with `CONCURRENCY` workers. */
const measure = (call: () => Promise<unknown>, count: number) => {
  let next = 0
  return timed(count, () =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < count) await call()
      })
    ))
}

// ours: one runtime, the layer built once, each call an Effect run on it
const runtime = ManagedRuntime.make(
  Workspaces.Default.pipe(
    Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )
)
/** CONCURRENCY fibers on our runtime, each running `call` in a loop. */
const effectWorkers = (count: number, call: () => Effect.Effect<unknown, unknown>) => {
  let next = 0
  const worker = Effect.whileLoop({ while: () => next++ < count, body: call, step: () => {} })
  return timed(count, () =>
    runtime.runPromise(
      Effect.all(Array.from({ length: CONCURRENCY }, () => worker), { concurrency: "unbounded", discard: true })
    ))
}
// the same shape as the others: CONCURRENCY workers, each calling in a loop
const workspaces = await runtime.runPromise(Workspaces)
const ours = (count: number) => effectWorkers(count, () => workspaces.get({ id }))

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

// the floor under ours: the same platform HttpClient with nothing of ours (no timeout, retry,
// decoding, validation or span), reading the body as JSON
const platform = await runtime.runPromise(HttpClient.HttpClient)
const bareRequest = HttpClientRequest.get(url, { headers })
const platformBare = (count: number) => effectWorkers(count, () => Effect.flatMap(platform.execute(bareRequest), (r) => r.json))

const contenders = {
  "openrouter-effect": ours,
  "@openrouter/sdk": official,
  "raw fetch": rawFetch,
  "platform HttpClient": platformBare
}
const results: Record<string, Array<Figures>> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))

// warm up every contender (JIT, connection pools), then interleave rounds so drift hits all alike
for (const run of Object.values(contenders)) {
  for (let done = 0; done < WARMUP; done += REQUESTS_PER_ROUND) await run(REQUESTS_PER_ROUND)
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) results[name]!.push(await run(REQUESTS_PER_ROUND))
}
await runtime.dispose()
await sim.stop()

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v.map((f) => f.perSecond))]))
const cpu = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v.map((f) => f.cpuMicros))]))
const fmt = (n: number, width = 8) => n.toFixed(0).padStart(width)
console.log(
  `\nworkspaces.get, concurrency ${CONCURRENCY}, ${WARMUP} warm-up then ${ROUNDS} rounds × ${REQUESTS_PER_ROUND} requests (medians)`
)
for (const [name, values] of Object.entries(results)) {
  console.log(`  ${name.padEnd(18)} req/s by round: ${values.map((v) => v.perSecond.toFixed(0)).join(" ")}`)
}
console.log(`${"client".padEnd(20)} ${"req/s".padStart(8)}  vs sdk   vs fetch   client CPU µs/req  vs sdk   vs fetch`)
for (const name of Object.keys(m)) {
  console.log(
    `${name.padEnd(20)} ${fmt(m[name]!)}  ${(m[name]! / m["@openrouter/sdk"]!).toFixed(2)}×   ${(m[name]! / m["raw fetch"]!).toFixed(2)}×    ${
      fmt(cpu[name]!, 10)
    }          ${(cpu[name]! / cpu["@openrouter/sdk"]!).toFixed(2)}×   ${(cpu[name]! / cpu["raw fetch"]!).toFixed(2)}×`
  )
}
const ratioSdk = m["openrouter-effect"]! / m["@openrouter/sdk"]!
const ratioFetch = m["openrouter-effect"]! / m["raw fetch"]!
console.log(
  `\ntargets: ≥ 1.30× sdk → ${ratioSdk.toFixed(2)}× ${ratioSdk >= 1.3 ? "ok" : "MISSED"}; ≥ 0.85× fetch → ${ratioFetch.toFixed(2)}× ${
    ratioFetch >= 0.85 ? "ok" : "MISSED"
  }`
)
process.exit(0)
