// Builds the panel into the integration (custom_components/intruder_alert/frontend/), where
// HACS installs it as is. The bundle's first line names the SHA-256 of the sources it was built
// from; tests/test_panel.py recomputes it, so a bundle out of date with its source fails the
// tests even where npm is not installed. `--check` builds in memory and fails if the committed
// bundle differs byte for byte.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, "..", "custom_components", "intruder_alert", "frontend", "intruder-alert-panel.js");
// What the bundle is made of (node_modules is pinned by package-lock.json).
const INPUTS = ["build.mjs", "package.json", "package-lock.json", "tsconfig.json"];

function sources(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((item) =>
    item.isDirectory() ? sources(join(directory, item.name)) : [join(directory, item.name)],
  );
}

export function sourceHash() {
  const files = [...INPUTS.map((name) => join(here, name)), ...sources(join(here, "src"))]
    .map((path) => relative(here, path).split("\\").join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const name of files) {
    hash.update(name + "\0");
    hash.update(readFileSync(join(here, name)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const result = await build({
  entryPoints: [join(here, "src", "panel.ts")],
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  legalComments: "eof",
  write: false,
  banner: { js: `/* intruder-alert-panel sources sha256:${sourceHash()} */` },
});
const bundle = result.outputFiles[0].contents;

if (process.argv.includes("--check")) {
  let committed;
  try {
    committed = readFileSync(output);
  } catch {
    committed = Buffer.alloc(0);
  }
  if (!Buffer.from(bundle).equals(committed)) {
    console.error(`${relative(process.cwd(), output)} is out of date with frontend/: run scripts/setup (or npm run build in frontend/) and commit it`);
    process.exit(1);
  }
  console.log("panel bundle is up to date with its sources");
} else {
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, bundle);
  console.log(`built ${relative(process.cwd(), output)} (${bundle.length} bytes)`);
}
