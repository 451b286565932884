// Where the assembled package is: tests import it the way an application would.
import { fileURLToPath } from "node:url";
export const PKG = fileURLToPath(new URL("../../../pkg/", import.meta.url));
export const VECTORS = fileURLToPath(new URL("../../../tests/vectors/", import.meta.url));
export const CONFORMANCE = fileURLToPath(new URL("../../../tests/conformance/", import.meta.url));
