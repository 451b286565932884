/**
 * The one error class of edgeflag. The wasm core throws it for refused envelopes and bad
 * configuration; the client reports it in `error` events. `code` is stable and
 * machine-readable (`BAD_SIGNATURE`, `ROLLBACK`, `EXPIRED`, `INVALID_ARGUMENT`, ...), the
 * message is for people.
 */
export class EdgeflagError extends Error {
  /**
   * @param {string} code a stable name of the check that failed
   * @param {string} message what went wrong
   */
  constructor(code, message) {
    super(message);
    this.name = "EdgeflagError";
    /** @type {string} */
    this.code = code;
  }
}
