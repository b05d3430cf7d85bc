import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench" })
const N = 6000
const rt = ManagedRuntime.make(Workspaces.Default.pipe(Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })), Layer.provideMerge(NodeHttpClient.layerUndici)))
const eff = Effect.flatMap(Workspaces, (w) => Effect.forEach(Array.from({ length: N }), () => w.get({ id: "default" }), { concurrency: 16, discard: true }))
await rt.runPromise(eff)
const t = performance.now(); await rt.runPromise(eff); console.log("ours", (N / ((performance.now() - t) / 1000)).toFixed(0))
await rt.dispose(); await sim.stop(); process.exit(0)
