/**
 * Memory of file transfers: peak RSS growth of a client process uploading and downloading 100 MB,
 * ours vs `@openrouter/sdk`, each in a fresh child process against a simulator in its own process;
 * then 1,000,000 files listed through `files.stream`.
 *
 *   npm run bench:files
 */
import { spawn } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { spawnSimulator } from "./spawn-simulator.ts"

const MB = 1024 * 1024
const SIZE = 100 * MB
const worker = fileURLToPath(new URL("./files-worker.ts", import.meta.url))

/** Run one scenario in a fresh process; it prints one JSON line of results. */
const run = (scenario: string, env: Record<string, string>, flags: ReadonlyArray<string> = []) =>
  new Promise<Record<string, number>>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, "--import", "tsx", worker, scenario], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${scenario} exited with ${code}`))
      resolve(JSON.parse(out.trim().split("\n").at(-1)!))
    })
  })

const source = join(tmpdir(), "openrouter-effect-bench-100mb.pdf")
{
  // a 100 MB file the simulator accepts as a PDF, written in pieces
  const header = new TextEncoder().encode("%PDF-1.7\n")
  const body = new Uint8Array(SIZE)
  body.fill(0x20)
  body.set(header)
  await writeFile(source, body)
}

const transfer = await spawnSimulator({
  seed: "bench-files",
  files: { count: 10, extra: [{ filename: "big.pdf", sizeBytes: SIZE, mimeType: "application/pdf" }] }
})
const env = { BASE_URL: transfer.baseUrl, API_KEY: transfer.managementKey, SOURCE: source }
const rows: Array<[string, Record<string, number>]> = []
for (const scenario of ["ours-upload", "sdk-upload", "ours-download", "sdk-download"]) {
  rows.push([scenario, await run(scenario, env)])
}
await transfer.stop()

const listing = await spawnSimulator({ seed: "bench-list", files: { count: 1_000_000, placement: "default" } })
const listEnv = { BASE_URL: listing.baseUrl, API_KEY: listing.managementKey }
const list = await run("ours-list", listEnv)
// the same with V8's old space capped: if something were retained this would run out of memory
const capped = await run("ours-list", listEnv, ["--max-old-space-size=96"])
await listing.stop()

const fmt = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`.padStart(10)
console.log("\n100 MB transfers: peak RSS growth of the client process (sampled every 10 ms)")
console.log(`${"".padEnd(10)} ${"ours".padStart(10)} ${"sdk".padStart(10)}   ours/sdk   target ≤ 32 MB`)
for (const kind of ["upload", "download"]) {
  const ours = rows.find(([s]) => s === `ours-${kind}`)![1]
  const sdk = rows.find(([s]) => s === `sdk-${kind}`)![1]
  console.log(
    `${kind.padEnd(10)} ${fmt(ours.peakGrowth!)} ${fmt(sdk.peakGrowth!)}   ${(ours.peakGrowth! / sdk.peakGrowth!).toFixed(2)}×      ${
      ours.peakGrowth! <= 32 * MB ? "ok" : "MISSED"
    }   (ours ${ours.seconds!.toFixed(2)} s, sdk ${sdk.seconds!.toFixed(2)} s)`
  )
}
console.log(
  `\nlisting ${list.items} files through files.stream (pages of 1000): ${list.seconds!.toFixed(1)} s, ${
    (list.items! / list.seconds!).toFixed(0)
  } items/s, peak RSS ${fmt(list.peakRss!).trim()} = baseline ${fmt(list.peakRss! - list.peakGrowth!).trim()} + ${fmt(list.peakGrowth!).trim()}`
)
console.log(
  `  target < 150 MB: growth ${list.peakGrowth! < 150 * MB ? "ok" : "MISSED"}; absolute ${
    list.peakRss! < 150 * MB ? "ok" : "MISSED"
  } (the process holds ~${fmt(list.peakRss! - list.peakGrowth!).trim()} before listing anything: tsx, Effect, the platform)`
)
console.log(
  `  with --max-old-space-size=96: completes, peak RSS ${fmt(capped.peakRss!)} (+${fmt(capped.peakGrowth!).trim()}): ` +
    "the growth above is garbage V8 collects lazily, not data the stream retains"
)
process.exit(0)
