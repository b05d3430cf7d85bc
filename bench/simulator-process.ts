/**
 * Runs the simulator in its own process for benchmarks (so the server's CPU and memory are not the
 * client's). Options come as JSON in argv[2]; prints `{ baseUrl, managementKey }` as one JSON line.
 */
import { start } from "../src/simulator/index.ts"

const options = JSON.parse(process.argv[2] ?? "{}")
const sim = await start(options)
process.stdout.write(JSON.stringify({ baseUrl: sim.baseUrl, managementKey: sim.managementKey }) + "\n")
// the request log, on request over IPC (for benchmarks that count requests by status)
process.on("message", (message) => {
  if (message === "log") void sim.requests().then((log) => process.send?.(log.map(({ method, path, status }) => ({ method, path, status }))))
})
process.on("SIGTERM", () => void sim.close().then(() => process.exit(0)))
