// @ts-nocheck
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench" })
const runtime = ManagedRuntime.make(Workspaces.Default.pipe(Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })), Layer.provide(NodeHttpClient.layerUndici)))
const run = async (count: number) => {
  const started = performance.now()
  await runtime.runPromise(Effect.flatMap(Workspaces, (workspaces) => {
    let next = 0
    const worker = Effect.whileLoop({ while: () => next++ < count, body: () => workspaces.get({ id: "default" }), step: () => {} })
    return Effect.all(Array.from({ length: 16 }, () => worker), { concurrency: "unbounded", discard: true })
  }))
  return count / ((performance.now() - started) / 1000)
}
await run(2000)
for (let i = 0; i < 10; i++) console.log((await run(8000)).toFixed(0), "req/s")
await runtime.dispose(); await sim.stop(); process.exit(0)
