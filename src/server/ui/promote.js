// #/promote: the difference between two environments, flag by flag, and the promotion of the
// selected flags (with the segments they use) as one new version of the target. The diff is
// always shown before applying, and the promotion is made against the versions that diff was
// made from (`base`): if either side changed since, the server answers 409 and nothing is
// applied, and the view offers to compare again.

import { call, definitionPath } from "./api.js";
import { apiError, confirmDialog, fieldError, h, render, toast } from "./dom.js";
import { renderChanges, renderDiff } from "./diff.js";

const STATUS_TEXT = { added: "added", changed: "changed", unchanged: "unchanged" };

/** Whether an environment name reads as production (the stronger confirmation). */
const isProduction = (name) => /^prod(uction)?$/i.test(name);

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

let uid = 0;

/** An expandable block: a button with aria-expanded that shows `content()` below it. */
function expander(label, content, name = label) {
  const id = `promote-x${++uid}`;
  const region = h("div", { id, class: "expand-body", hidden: true });
  const button = h("button", { type: "button", class: "link disclosure", "aria-expanded": "false", "aria-controls": id, "aria-label": name }, label);
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (open && !region.firstChild) render(region, content());
    region.hidden = !open;
  });
  return { button, region };
}

/** What promoting `f` changes in `d.to`: the changes, and the whole documents on demand. */
function flagDetail(d, f) {
  if (f.status === "added" && f.changes.length === 1 && f.changes[0].old == null) {
    return [h("p", { class: "muted" }, `New in ${d.to}:`), renderDiff(null, f.changes[0].new)];
  }
  const place = h("div", { "aria-live": "polite" });
  const button = h("button", { type: "button" }, "Show the whole documents' diff");
  button.addEventListener("click", async () => {
    button.disabled = true;
    render(place, h("p", { class: "muted" }, "Loading…"));
    const [now, next] = await Promise.all([call("GET", definitionPath(d.to, "flags", f.key)), call("GET", definitionPath(d.from, "flags", f.key))]);
    if (!next.ok || (!now.ok && now.status !== 404)) {
      button.disabled = false;
      return render(place, h("p", { class: "error", role: "alert" }, apiError(next.ok ? now : next)));
    }
    button.remove();
    render(place, h("p", { class: "muted" }, `As they are now: − ${d.to}, + ${d.from}.`), renderDiff(now.ok ? now.body : null, next.body));
  });
  return [renderChanges(f.changes, { strip: `flags.${f.key}.`, caption: `Changes to ${f.key} in ${d.to}` }), button, place];
}

export async function show(main, ctx) {
  const names = ctx.environments.map((e) => e.name);
  const heading = h("h2", {}, "Environments: compare and promote");
  if (names.length < 2) {
    render(main, heading, h("p", {}, `Only one environment is served (${names[0] ?? "none"}): there is nothing to promote between. Start edgeflag serve with --environments, e.g. staging,production.`));
    return;
  }
  const to0 = names.includes(ctx.env) ? ctx.env : names[names.length - 1];
  // Promotion usually goes staging → production: prefer that pair, else any other environment.
  const from0 = (isProduction(to0) && names.find((n) => /^stag/i.test(n))) || names.find((n) => n !== to0);
  const select = (id, value) => h("select", { id, name: id }, names.map((n) => h("option", { value: n, selected: n === value }, n)));
  const from = select("promote-from", from0);
  const to = select("promote-to", to0);
  const compare = h("button", { type: "submit", class: "primary" }, "Compare");
  const swap = h("button", { type: "button", title: "Swap from and to" }, "Swap ⇄");
  const top = h("div", { class: "promote-top", "aria-live": "polite" });
  const results = h("section", { class: "promote-results", "aria-label": "Difference" });

  /** The last diff, and the keys selected in it. */
  let diff = null;
  let selected = new Set();
  /** The flags whose difference is not what the previous comparison showed. */
  let moved = new Set();

  const form = h(
    "form",
    { class: "toolbar", onsubmit: (event) => (event.preventDefault(), runCompare()) },
    h("div", {}, h("label", { for: "promote-from" }, "From (source)"), from),
    h("div", {}, h("label", { for: "promote-to" }, "To (target)"), to),
    h("div", { class: "toolbar-buttons" }, swap, compare),
  );
  swap.addEventListener("click", () => {
    [from.value, to.value] = [to.value, from.value];
    invalidate();
  });
  const invalidate = () => {
    if (!diff) return;
    diff = null;
    render(results, h("p", { class: "muted" }, "The environments changed: compare again to see their difference."));
  };
  from.addEventListener("change", invalidate);
  to.addEventListener("change", invalidate);

  render(
    main,
    heading,
    h("p", { class: "muted" }, "Compare two environments flag by flag, then promote the flags you select (and the segments they use) from the source to the target as one new version of the target."),
    form,
    top,
    results,
  );

  /** Clears the messages next to the fields and on top. */
  const clearErrors = () => {
    fieldError(from, null);
    fieldError(to, null);
    render(top);
  };

  /** Shows an API error next to the field it names (from/to), else on top. */
  const showError = (result, prefix) => {
    const field = result.body?.field;
    const target = field === "from" ? from : field === "to" ? to : null;
    if (target) fieldError(target, apiError(result));
    else render(top, h("p", { class: "error", role: "alert" }, prefix ? `${prefix}: ` : "", apiError(result)));
  };

  async function runCompare({ keep } = {}) {
    clearErrors();
    if (from.value === to.value) return fieldError(to, "Pick a target other than the source.");
    compare.disabled = true;
    render(results, h("p", { class: "muted" }, `Comparing ${from.value} with ${to.value}…`));
    const result = await call("POST", "/admin/promote", { body: { from: from.value, to: to.value, apply: false } });
    compare.disabled = false;
    if (!result.ok) {
      render(results);
      return showError(result, "Compare failed");
    }
    const previous = keep ? { selected, flags: new Map(diff?.flags.map((f) => [f.key, JSON.stringify(f.changes)]) ?? []) } : null;
    diff = result.body;
    moved = new Set(previous ? diff.flags.filter((f) => previous.flags.has(f.key) && previous.flags.get(f.key) !== JSON.stringify(f.changes)).map((f) => f.key) : []);
    // Compared again: the choices made stay; flags new to the list get the default.
    selected = new Set(diff.flags.filter((f) => (previous?.flags.has(f.key) ? previous.selected.has(f.key) : f.status !== "unchanged")).map((f) => f.key));
    showDiff();
  }

  function showDiff() {
    const d = diff;
    const editable = ctx.canEdit(d.to);
    const counts = { added: 0, changed: 0, unchanged: 0 };
    for (const f of d.flags) counts[f.status] = (counts[f.status] ?? 0) + 1;
    const promote = h("button", { type: "button", class: "primary", id: "promote-apply" }, "Promote selected");
    const count = h("p", { class: "muted", id: "promote-count", "aria-live": "polite" });
    const refresh = () => {
      count.textContent = `${plural(selected.size, "flag")} selected.`;
      promote.disabled = !editable || selected.size === 0;
    };
    const rows = d.flags.map((f) => {
      const id = `promote-flag-${++uid}`;
      const box = h("input", { type: "checkbox", id, checked: selected.has(f.key), disabled: !editable, dataset: { key: f.key } });
      box.addEventListener("change", () => {
        if (box.checked) selected.add(f.key);
        else selected.delete(f.key);
        refresh();
      });
      const x = f.changes.length ? expander(plural(f.changes.length, "change"), () => flagDetail(d, f), `${plural(f.changes.length, "change")} to flag ${f.key}`) : null;
      return h(
        "li",
        { class: `promote-item status-${f.status}`, dataset: { flag: f.key, status: f.status } },
        h("div", { class: "promote-line" }, box, h("label", { for: id }, h("code", {}, f.key)), h("span", { class: `badge ${f.status}` }, STATUS_TEXT[f.status] ?? f.status), moved.has(f.key) ? h("span", { class: "badge lint" }, "different since last compare") : null, x ? x.button : h("span", { class: "muted" }, "identical")),
        x?.region,
      );
    });
    const allNone = (on) => () => {
      selected = new Set(on ? d.flags.filter((f) => f.status !== "unchanged").map((f) => f.key) : []);
      for (const box of results.querySelectorAll("input[type=checkbox][data-key]")) box.checked = selected.has(box.dataset.key);
      refresh();
    };
    const segments = d.segments.length
      ? h(
          "ul",
          { class: "promote-list" },
          d.segments.map((s) => {
            const x = s.changes.length ? expander(plural(s.changes.length, "change"), () => renderChanges(s.changes, { strip: `segments.${s.key}.` }), `${plural(s.changes.length, "change")} to segment ${s.key}`) : null;
            return h("li", { class: "promote-item", dataset: { segment: s.key } }, h("div", { class: "promote-line" }, h("code", {}, s.key), h("span", { class: `badge ${s.status}` }, s.status), x ? x.button : null), x?.region);
          }),
        )
      : h("p", { class: "muted" }, "The flags use no segments.");
    const why = editable ? null : h("p", { class: "muted", id: "promote-why" }, `Your token (${ctx.me.name}, ${ctx.me.role}) may not change ${d.to}: promoting needs an editor or admin token for ${d.to}.`);
    if (why) promote.setAttribute("aria-describedby", "promote-why");
    promote.addEventListener("click", () => apply(promote));
    refresh();
    render(
      results,
      h("h3", {}, `${d.from} → ${d.to}`),
      h("p", { class: "muted" }, `Compared ${d.from} version ${d.base.from} with ${d.to} version ${d.base.to}: ${counts.changed} changed, ${counts.added} added, ${counts.unchanged} unchanged.`),
      h("h4", {}, "Flags"),
      h("div", { class: "toolbar-buttons" }, h("button", { type: "button", disabled: !editable, onclick: allNone(true) }, "Select changed"), h("button", { type: "button", disabled: !editable, onclick: allNone(false) }, "Select none")),
      h("ul", { class: "promote-list", "aria-label": "Flags of the source" }, rows),
      h("h4", {}, "Segments that come along"),
      h("p", { class: "muted" }, "The segments the flags use are copied with the ones promoted (listed here for every flag compared)."),
      segments,
      h("h4", {}, `Only in ${d.to}`),
      d.onlyInTarget.length
        ? [h("p", { class: "muted" }, "Left alone by a promotion:"), h("ul", { class: "only-target" }, d.onlyInTarget.map((k) => h("li", {}, h("code", {}, k))))]
        : h("p", { class: "muted" }, "None."),
      h("div", { class: "actions promote-actions" }, count, why, promote),
    );
  }

  async function apply(button) {
    const d = diff;
    if (!d || !selected.size) return;
    const keys = d.flags.map((f) => f.key).filter((k) => selected.has(k));
    const list = keys.length > 5 ? `${keys.slice(0, 5).join(", ")} and ${keys.length - 5} more` : keys.join(", ");
    const ok = isProduction(d.to)
      ? await confirmDialog(
          `Promote to ${d.to}?`,
          `This changes PRODUCTION, which serves real users now: ${plural(keys.length, "flag")} (${list}) from ${d.from} replace the ones in ${d.to}, with the segments they use, as one new version.`,
          `Promote to ${d.to}`,
        )
      : await confirmDialog(`Promote to ${d.to}?`, `${plural(keys.length, "flag")} (${list}) from ${d.from} replace the ones in ${d.to}, with the segments they use, as one new version.`, "Promote");
    if (!ok) return button.focus();
    clearErrors();
    button.disabled = true;
    const result = await call("POST", "/admin/promote", { body: { from: d.from, to: d.to, flags: keys, apply: true, base: d.base } });
    button.disabled = false;
    if (result.status === 409) {
      button.disabled = true;
      const again = h("button", { type: "button", class: "primary", id: "promote-again" }, "Compare again");
      again.addEventListener("click", () => runCompare({ keep: true }));
      render(
        top,
        h(
          "div",
          { class: "card conflict", role: "alert" },
          h("h3", {}, "Not promoted: an environment changed since the comparison"),
          h("p", {}, `${d.from} or ${d.to} has a newer version than the one this difference was made from, so nothing was applied. Compare again to see the difference as it is now, then promote.`),
          h("p", { class: "muted" }, apiError(result)),
          again,
        ),
      );
      again.focus();
      return;
    }
    if (!result.ok) return showError(result, "Promotion failed");
    const r = result.body;
    toast(r.applied ? `Promoted ${plural(keys.length, "flag")} to ${r.to}: version ${r.version}.` : `Nothing to change in ${r.to}: it already had these flags (version ${r.version}).`);
    const env = ctx.environments.find((e) => e.name === r.to);
    if (env && r.version) env.version = r.version;
    await runCompare();
  }

  render(results, h("p", { class: "muted" }, "Pick the two environments, then Compare."));
}
