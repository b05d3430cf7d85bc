// @ts-nocheck
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted, Schema, ParseResult, Either } from "effect"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Workspaces } from "../src/Workspaces.ts"
import * as D from "../src/Domain.ts"

const body = JSON.stringify({ data: { id: "550e8400", default_guardrail_id: "595d", name: "P", slug: "p", description: null, default_text_model: null, default_image_model: null, default_provider_sort: null, is_observability_io_logging_enabled: false, is_observability_broadcast_enabled: false, is_data_discount_logging_enabled: true, io_logging_sampling_rate: 1, io_logging_api_key_ids: null, created_at: "2025-08-24T10:30:00Z", updated_at: null, created_by: null } })
class FakeResp { constructor(readonly request: any) {} status = 200; headers = {}; get text() { return Effect.succeed(body) } }
const fake = HttpClient.make((request) => Effect.sync(() => new FakeResp(request) as any))
const raw = Layer.succeed(HttpClient.HttpClient, fake)
const rt = ManagedRuntime.make(Workspaces.Default.pipe(Layer.provideMerge(OpenRouterClient.layer({ apiKey: Redacted.make("k"), baseUrl: "http://x/api/v1" })), Layer.provideMerge(raw)))
const client = await rt.runPromise(OpenRouterClient.OpenRouterClient)
const scopedClient = HttpClient.withScope(client.httpClient)
const ws = await rt.runPromise(Workspaces)
const N = 40_000
const time = async (name: string, call: () => Effect.Effect<unknown, unknown, any>) => {
  const run = () => { let next = 0; const worker = Effect.whileLoop({ while: () => next++ < N, body: call, step: () => {} }); return rt.runPromise(Effect.all(Array.from({ length: 16 }, () => worker), { concurrency: "unbounded", discard: true }) as any) }
  await run(); const started = performance.now(); await run()
  ;(results[name] ??= []).push((performance.now() - started) * 1000 / N)
}
const req = () => HttpClientRequest.get("/workspaces/default")
const success = Schema.Struct({ data: D.Workspace })
const decEff = Schema.decodeUnknown(success, { onExcessProperty: "ignore", errors: "all" })
const decEither = ParseResult.decodeUnknownEither(success, { onExcessProperty: "ignore", errors: "all" })
import * as Op from "../src/internal/operation.ts"
import { operations } from "../src/Workspaces.ts"
const spec = { path: "/workspaces/default" }
const exps: Record<string, () => Effect.Effect<unknown, unknown>> = {
  "v0 platform + text": () => Effect.flatMap(client.httpClient.execute(req()), (r) => r.text),
  "v1 + decode": () => Effect.flatMap(client.httpClient.execute(req()), (r) => Effect.flatMap(r.text, (t) => decEither(JSON.parse(t)))),
  "v2 + fork": () => client.deadlines.run(Effect.flatMap(client.httpClient.execute(req()), (r) => Effect.flatMap(r.text, (t) => decEither(JSON.parse(t)))), () => 1),
  "v3 + span": () => client.deadlines.run(Effect.flatMap(client.httpClient.execute(req()), (r) => Effect.flatMap(r.text, (t) => decEither(JSON.parse(t)))), () => 1).pipe(Effect.withSpan("x", { captureStackTrace: false, kind: "client" })),
  "v4 sendOnce+text": () => Effect.flatMap(Op.sendOnce(client, operations.get, spec), (r) => r.text),
  "v5 execute": () => Op.execute(client, operations.get, spec),
  "v6 ws.get": () => ws.get({ id: "default" })
}
const results: Record<string, number[]> = {}
for (let i = 0; i < Number(process.env.ROUNDS ?? 2); i++) for (const [k, f] of Object.entries(exps).filter(([k]) => new RegExp(process.env.ONLY ?? ".").test(k))) await time(k, f)
for (const [k, v] of Object.entries(results)) console.log(k.padEnd(24), v.map((x) => x.toFixed(0).padStart(4)).join(" "), " min", Math.min(...v).toFixed(1))
await rt.dispose()
