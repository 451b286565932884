// The bootstrap put into HTML pages: the signed envelope as received plus the values this
// request evaluated to, so the npm client paints the right variant at once (no round trip,
// no flicker) and still verifies the envelope itself before trusting it.
//
//   <script type="application/json" id="edgeflag-bootstrap">
//     {"envelope": "<envelope JSON text>", "values": {...}, "context": {...}}
//   </script>
//
// Inserted at the start of <head>; without a head, before </body>; without either, at the
// end of the document. HTMLRewriter streams: the page is never buffered.

/** The element's id: the page reads `document.getElementById(BOOTSTRAP_ID)`. */
export const BOOTSTRAP_ID = "edgeflag-bootstrap";

/**
 * The script element. `<`, `>`, `&` and the JavaScript line separators are escaped as
 * \uXXXX, which JSON reads back unchanged, so no value can close the element.
 */
export function bootstrapScript(envelope, values, context) {
  const body = JSON.stringify({ envelope, values, context }).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `<script type="application/json" id="${BOOTSTRAP_ID}">${body}</script>`;
}

/** Whether a response is an HTML page with a body. */
export function isHtml(response) {
  const type = response.headers.get("content-type") ?? "";
  return response.body !== null && /^\s*text\/html\b/i.test(type);
}

/**
 * The page with the script injected. The result is personal (it carries this user's values),
 * so it is marked private and loses the origin's validators (a 304 would bring back another
 * request's values).
 */
export function injectBootstrap(response, script) {
  let done = false;
  const insert = (target, where) => {
    if (done) return;
    done = true;
    target[where](script, { html: true });
  };
  const page = new HTMLRewriter()
    .on("head", { element: (el) => insert(el, "prepend") })
    .on("body", {
      element: (el) => {
        if (!done) el.onEndTag((end) => insert(end, "before"));
      },
    })
    .onDocument({ end: (end) => insert(end, "append") })
    .transform(response);
  const out = new Response(page.body, page);
  out.headers.set("cache-control", "private, no-cache");
  out.headers.delete("etag");
  out.headers.delete("last-modified");
  out.headers.delete("content-length");
  return out;
}
