// @ts-nocheck
/**
 * Per-call CPU cost of the client's layers with a canned response (no network, 16 concurrent callers
 * like `npm run bench`): where the time goes.
 *
 *   npm run bench:overhead
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as Op from "../src/internal/operation.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { operations, Workspaces } from "../src/Workspaces.ts"

const body = JSON.stringify({ data: { id: "550e8400", default_guardrail_id: "595d", name: "P", slug: "p", description: null, default_text_model: null, default_image_model: null, default_provider_sort: null, is_observability_io_logging_enabled: false, is_observability_broadcast_enabled: false, is_data_discount_logging_enabled: true, io_logging_sampling_rate: 1, io_logging_api_key_ids: null, created_at: "2025-08-24T10:30:00Z", updated_at: null, created_by: null } })
const fake = HttpClient.make((request) => Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(body, { status: 200 }))))
const rt = ManagedRuntime.make(Workspaces.Default.pipe(Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make("k"), baseUrl: "http://x/api/v1" })), Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, fake))))
const client = await rt.runPromise(OpenRouterClient.OpenRouterClient)
const ws = await rt.runPromise(Workspaces)
const N = 40_000
const CONCURRENCY = 16
const time = async (name: string, call: () => Effect.Effect<unknown, unknown, any>) => {
  const run = () => {
    let next = 0
    const worker = Effect.whileLoop({ while: () => next++ < N, body: call, step: () => {} })
    return rt.runPromise(Effect.all(Array.from({ length: CONCURRENCY }, () => worker), { concurrency: "unbounded", discard: true }) as any)
  }
  await run()
  const started = performance.now()
  await run()
  console.log(name.padEnd(34), ((performance.now() - started) * 1000 / N).toFixed(1).padStart(6), "µs/call")
}
const spec = { path: "/workspaces/default" }
for (let i = 0; i < 3; i++) {
  console.log(`round ${i + 1}`)
  await time("workspaces.get (+ validation)", () => ws.get({ id: "default" }))
}
await rt.dispose()
