// @ts-nocheck
import { spawn } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { spawnSimulator } from "./spawn-simulator.ts"
const SIZE = 100 * 1048576
const source = "/tmp/openrouter-effect-bench-100mb.pdf"
{ const body = new Uint8Array(SIZE); body.fill(0x20); body.set(new TextEncoder().encode("%PDF-1.7\n")); await writeFile(source, body) }
const sim = await spawnSimulator({ seed: "bench-files", files: { count: 10, extra: [{ filename: "big.pdf", sizeBytes: SIZE, mimeType: "application/pdf" }] } })
for (const sc of (process.env.SC ?? "ours-download,ours-upload").split(",")) {
  const out = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...(process.env.FLAGS ? process.env.FLAGS.split(" ") : []), "--import", "tsx", "bench/files-worker.ts", sc], { env: { ...process.env, BASE_URL: sim.baseUrl, API_KEY: sim.managementKey, SOURCE: source }, stdio: ["ignore", "pipe", "inherit"] })
    let o = ""; child.stdout.on("data", (d) => o += d); child.on("exit", () => resolve(o))
  })
  if (process.env.FLAGS) console.log(out.split("\n").filter((l) => /Mark|Scav/.test(l)).length, "GCs;", out.split("\n").filter((l) => /Mark/.test(l)).length, "mark-compacts")
  const r = JSON.parse(out.trim().split("\n").at(-1))
  console.log(sc, "growth", (r.peakGrowth / 1048576).toFixed(1), "s", r.seconds.toFixed(2))
}
await sim.stop(); process.exit(0)
