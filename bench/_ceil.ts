// @ts-nocheck
import { NodeHttpClient } from "@effect/platform-node"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { request as undiciRequest } from "undici"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench" })
const url = `${sim.baseUrl}/workspaces/default`
const headers = { authorization: `Bearer ${sim.managementKey}`, accept: "application/json" }
const measure = async (call: () => Promise<unknown>, count: number) => {
  let next = 0; const started = performance.now()
  await Promise.all(Array.from({ length: 16 }, async () => { while (next++ < count) await call() }))
  return count / ((performance.now() - started) / 1000)
}
const rt = ManagedRuntime.make(Workspaces.Default.pipe(Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })), Layer.provideMerge(NodeHttpClient.layerUndici)))
const http = await rt.runPromise(HttpClient.HttpClient)
const eff = (count: number, body: () => Effect.Effect<unknown, unknown>) => async () => {
  const started = performance.now(); let next = 0
  const worker = Effect.whileLoop({ while: () => next++ < count, body, step: () => {} })
  await rt.runPromise(Effect.all(Array.from({ length: 16 }, () => worker), { concurrency: "unbounded", discard: true }) as any)
  return count / ((performance.now() - started) / 1000)
}
const ws = await rt.runPromise(Workspaces)
const runs: Record<string, (n: number) => Promise<number>> = {
  undiciRequest: (n) => measure(async () => { const r = await undiciRequest(url, { headers }); return r.body.json() }, n),
  fetch: (n) => measure(async () => { const r = await fetch(url, { headers }); return r.json() }, n),
  platformBare: (n) => eff(n, () => Effect.flatMap(http.execute(HttpClientRequest.get(url, { headers })), (r) => r.json))(),
  ours: (n) => eff(n, () => ws.get({ id: "default" }))()
}
for (const r of Object.values(runs)) for (let i = 0; i < 6; i++) await r(6000)
for (let i = 0; i < 3; i++) for (const [k, r] of Object.entries(runs)) console.log(k.padEnd(14), (await r(6000)).toFixed(0))
await rt.dispose(); await sim.stop(); process.exit(0)
