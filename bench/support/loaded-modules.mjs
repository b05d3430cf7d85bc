/* global process, URL, performance */
// node loaded-modules.mjs SPECIFIER...: imports each, prints { modules: [...urls], ms } as JSON.
// The hooks run on their own thread and log to a file; the import time excludes registering them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { register } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

const dir = mkdtempSync(join(tmpdir(), "modules-"))
process.env.MODULES_LOG = join(dir, "log")
register(new URL("./module-hooks.mjs", import.meta.url))
const started = performance.now()
for (const specifier of process.argv.slice(2)) {
  await import(specifier.startsWith("/") ? pathToFileURL(specifier).href : specifier)
}
const ms = performance.now() - started
const modules = [...new Set(readFileSync(process.env.MODULES_LOG, "utf8").split("\n").filter((l) => l.length > 0))]
rmSync(dir, { recursive: true, force: true })
process.stdout.write(JSON.stringify({ modules, ms }))
