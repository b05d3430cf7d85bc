// @ts-nocheck
import { NodeHttpClient } from "@effect/platform-node"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench" })
const mk = (http) => ManagedRuntime.make(Workspaces.Default.pipe(Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })), Layer.provideMerge(http)))
const rts = { undici: mk(NodeHttpClient.layerUndici) }
const eff = (rt, count) => async () => {
  const started = performance.now(); let next = 0
  await rt.runPromise(Effect.flatMap(Workspaces, (ws) => { const worker = Effect.whileLoop({ while: () => next++ < count, body: () => ws.get({ id: "default" }), step: () => {} }); return Effect.all(Array.from({ length: 16 }, () => worker), { concurrency: "unbounded", discard: true }) }))
  return count / ((performance.now() - started) / 1000)
}
for (const rt of Object.values(rts)) await eff(rt, 1000)()
for (let i = 0; i < 10; i++) for (const [k, rt] of Object.entries(rts)) console.log(k.padEnd(14), (await eff(rt, 6000)()).toFixed(0))
await sim.stop(); process.exit(0)
