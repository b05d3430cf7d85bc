/**
 * Per-call CPU cost of the client's layers on a canned response (no network, no server), with 16
 * concurrent callers like `npm run bench`: where a call's client-side time goes. Best of 5 rounds.
 *
 *   npm run bench:overhead
 */
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as Op from "../src/internal/operation.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { operations, Workspaces } from "../src/Workspaces.ts"

const body = JSON.stringify({
  data: {
    id: "550e8400",
    default_guardrail_id: "595d",
    name: "P",
    slug: "p",
    description: null,
    default_text_model: null,
    default_image_model: null,
    default_provider_sort: null,
    is_observability_io_logging_enabled: false,
    is_observability_broadcast_enabled: false,
    is_data_discount_logging_enabled: true,
    io_logging_sampling_rate: 1,
    io_logging_api_key_ids: null,
    created_at: "2025-08-24T10:30:00Z",
    updated_at: null,
    created_by: null
  }
})
// the cheapest response possible, so the figures are the layers' cost and not the transport's
const canned = (request: HttpClientRequest.HttpClientRequest) =>
  ({ request, status: 200, headers: {}, text: Effect.succeed(body) }) as unknown as HttpClientResponse.HttpClientResponse
const fake = HttpClient.make((request) => Effect.sync(() => canned(request)))
const runtime = ManagedRuntime.make(
  Workspaces.Default.pipe(
    Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make("k"), baseUrl: "http://x/api/v1" })),
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, fake))
  )
)
const client = await runtime.runPromise(OpenRouterClient.OpenRouterClient)
const platform = await runtime.runPromise(HttpClient.HttpClient)
const workspaces = await runtime.runPromise(Workspaces)
const N = 40_000
const CONCURRENCY = 16
const ROUNDS = 5

const perCall = async (call: () => Effect.Effect<unknown, unknown>) => {
  const run = () => {
    let next = 0
    const worker = Effect.whileLoop({ while: () => next++ < N, body: call, step: () => {} })
    return runtime.runPromise(Effect.all(Array.from({ length: CONCURRENCY }, () => worker), { concurrency: "unbounded", discard: true }))
  }
  await run()
  const started = performance.now()
  await run()
  return (performance.now() - started) * 1000 / N
}

const spec = { path: "/workspaces/default" }
const exchange = () => Effect.flatMap(platform.execute(HttpClientRequest.get(`http://x/api/v1${spec.path}`)), (r) => r.text)
const layers: Record<string, () => Effect.Effect<unknown, unknown>> = {
  "platform HttpClient + text": exchange,
  "  + Effect.timeout (a race per call)": () => Effect.timeout(exchange(), "1 minute"),
  "  our client + deadline sweeper": () =>
    client.deadlines.run(Effect.flatMap(client.httpClient.execute(HttpClientRequest.get(spec.path)), (r) => r.text), () => "timeout"),
  "sendOnce + text": () => Effect.flatMap(Op.sendOnce(client, operations.get, spec), (r) => r.text),
  "execute (+ decode, retry)": () => Op.execute(client, operations.get, spec),
  "workspaces.get (+ validation)": () => workspaces.get({ id: "default" })
}
const best: Record<string, number> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of Object.entries(layers)) best[name] = Math.min(best[name] ?? Infinity, await perCall(call))
}
console.log(`\nclient-side cost per call, canned response, concurrency ${CONCURRENCY}, best of ${ROUNDS} rounds`)
for (const [name, micros] of Object.entries(best)) console.log(`${name.padEnd(38)} ${micros.toFixed(1).padStart(7)} µs`)
await runtime.dispose()
