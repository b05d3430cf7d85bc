/** One scenario of `bench/files.bench.ts`, in its own process so its RSS is its own. */
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Files } from "../src/Files.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"

const scenario = process.argv[2]!
const baseUrl = process.env.BASE_URL!
const apiKey = process.env.API_KEY!
const source = process.env.SOURCE ?? ""

const runtime = ManagedRuntime.make(
  Files.Default.pipe(
    Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(apiKey), baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.merge(NodeContext.layer)
  )
)
// the SDK is only loaded where it is measured (it adds ~90 MB of RSS just by being imported)
const sdk = scenario.startsWith("sdk-")
  ? new (await import("@openrouter/sdk")).OpenRouter({ apiKey, serverURL: baseUrl })
  : undefined
// warm the client up so its code is loaded before the baseline is taken
await runtime.runPromise(Effect.flatMap(Files, (files) => files.list({ limit: 1 })))
await sdk?.files.list({ limit: 1 })
const big = (await runtime.runPromise(Effect.flatMap(Files, (files) => files.list({ limit: 100 })))).data.find((f) => f.filename === "big.pdf")

global.gc?.()
const baseline = process.memoryUsage().rss
let peak = baseline
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 10)
const started = performance.now()
let items = 0
const target = join(tmpdir(), `openrouter-effect-bench-${scenario}-${process.pid}.bin`)

switch (scenario) {
  case "ours-upload":
    await runtime.runPromise(Effect.flatMap(Files, (files) => files.upload({ file: { path: source } })))
    break
  case "sdk-upload":
    // the SDK's streamed form: a ReadableStream as the file content
    await sdk!.files
      .upload({
        requestBody: {
          file: { fileName: "big.pdf", content: Readable.toWeb(createReadStream(source)) as ReadableStream<Uint8Array> }
        }
      } as any)
      .catch((error) => console.error(`sdk upload: ${String(error).slice(0, 200)}`))
    break
  case "ours-download":
    await runtime.runPromise(Effect.flatMap(Files, (files) => files.downloadTo({ fileId: big!.id, path: target })))
    break
  case "sdk-download": {
    const stream = await sdk!.files.download({ fileId: big!.id } as any)
    await pipeline(Readable.fromWeb(stream as any), createWriteStream(target))
    break
  }
  case "ours-list":
    items = await runtime.runPromise(
      Effect.flatMap(Files, (files) => Stream.runCount(files.stream({ pageSize: 1000 })))
    )
    break
}
const seconds = (performance.now() - started) / 1000
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage().rss)
await rm(target, { force: true })
await runtime.dispose()
console.log(JSON.stringify({ peakGrowth: peak - baseline, peakRss: peak, seconds, items }))
process.exit(0)
