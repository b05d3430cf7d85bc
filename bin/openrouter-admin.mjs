#!/usr/bin/env node
// The CLI: an esbuild bundle of src/cli/main.ts (one file to parse, handlers' modules in chunks loaded
// on use), built by `npm run build` (run by `npm ci`/`npm install` through `prepare`).
// `--version` is answered here, from package.json, before the bundle (and Effect) is loaded.
import { readFileSync } from "node:fs"
import process from "node:process"
import { URL } from "node:url"

if (process.argv.length === 3 && process.argv[2] === "--version") {
  process.stdout.write(`${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`)
} else {
  await import("../dist/bin/main.mjs")
}
