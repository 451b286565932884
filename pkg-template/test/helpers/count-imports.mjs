// A module loader hook (node --import) that appends the URL of every module Node.js loads to
// the file $EDGEFLAG_IMPORT_LOG: lets a test see whether the companion module was imported.
import { register } from "node:module";
import { appendFileSync } from "node:fs";

if (!process.env.EDGEFLAG_COUNT_HOOK) {
  process.env.EDGEFLAG_COUNT_HOOK = "1";
  register(import.meta.url, import.meta.url);
}

export async function load(url, context, next) {
  appendFileSync(process.env.EDGEFLAG_IMPORT_LOG, `${url}\n`);
  return next(url, context);
}
