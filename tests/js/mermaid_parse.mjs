// Validate Mermaid text with the real Mermaid parser, as GitHub and Obsidian run it: node mermaid_parse.mjs FILE...
// (exit 1 at the first error). Mermaid needs a DOM even to parse, so jsdom gives it one.
import { JSDOM } from "jsdom";
import { readFileSync } from "fs";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`ok ${file} ${result.diagramType}`);
  } catch (e) {
    console.log(`error ${file}: ${e.message}`);
    process.exit(1);
  }
}
