// Small DOM helpers shared by the views: elements from tag, attributes and children (text is
// always a text node: nothing from the API is parsed as HTML), and accessible messages.

/** `h("button", { type: "button", onclick }, "Kill")`: attributes starting with `on` are listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces the children of `parent`. */
export const render = (parent, ...children) => parent.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));

/** A polite status message (the toast region is `aria-live`). */
export function toast(message) {
  const region = document.getElementById("toast");
  region.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (region.textContent = ""), 6000);
}

/** An API error as text: `message` (and the field it names). */
export const apiError = (result) => {
  const b = result.body ?? {};
  return `${b.message ?? `HTTP ${result.status}`}${result.status ? ` (${result.status})` : ""}`;
};

/** An error box next to a field: `role="alert"`, linked from the field by aria-describedby. */
export function fieldError(field, message) {
  const id = `${field.id || (field.id = `f${Math.random().toString(36).slice(2)}`)}-error`;
  document.getElementById(id)?.remove();
  if (!message) {
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
    return;
  }
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", id);
  field.after(h("p", { id, class: "error", role: "alert" }, message));
}

/**
 * Asks for confirmation in a modal <dialog> (keyboard: Enter confirms, Escape cancels);
 * resolves true or false.
 */
export function confirmDialog(title, text, confirmLabel = "Confirm", cancelLabel = "Cancel") {
  return new Promise((resolve) => {
    const yes = h("button", { type: "submit", value: "yes", class: "danger" }, confirmLabel);
    const no = h("button", { type: "submit", value: "no" }, cancelLabel);
    const dialog = h(
      "dialog",
      { "aria-labelledby": "confirm-title" },
      h("form", { method: "dialog" }, h("h2", { id: "confirm-title" }, title), h("p", {}, text),
        h("div", { class: "actions" }, no, yes)),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "yes");
    });
    document.body.append(dialog);
    dialog.showModal();
    // The harmless choice has the focus: a held or repeated Enter cannot confirm.
    no.focus();
  });
}
