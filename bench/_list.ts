// @ts-nocheck
import { spawn } from "node:child_process"
import { spawnSimulator } from "./spawn-simulator.ts"
const sim = await spawnSimulator({ seed: "bench-list", files: { count: Number(process.env.COUNT ?? 300000), placement: "default" } })
for (const ps of (process.env.SIZES ?? "1000").split(",")) {
  const out = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...(process.env.FLAGS ? process.env.FLAGS.split(" ") : []), "--import", "tsx", "bench/files-worker.ts", "ours-list"], { env: { ...process.env, BASE_URL: sim.baseUrl, API_KEY: sim.managementKey, PAGE_SIZE: ps }, stdio: ["ignore", "pipe", "inherit"] }); if (process.env.FLAGS) child.stdout.on("data", (d) => process.stderr.write(d))
    let o = ""; child.stdout.on("data", (d) => o += d); child.on("exit", () => resolve(o))
  })
  const r = JSON.parse(out.trim().split("\n").at(-1))
  console.log("page", ps, "baseline", (r.baseline/1048576).toFixed(0), "peak", (r.peakRss/1048576).toFixed(0), "growth", (r.peakGrowth/1048576).toFixed(0), "items/s", (r.items/r.seconds).toFixed(0))
}
await sim.stop(); process.exit(0)
