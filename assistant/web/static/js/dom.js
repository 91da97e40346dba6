// Building DOM nodes without innerHTML: every text goes in as text, never as markup.

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.setAttribute("class", value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function showMessage(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

export function announce(node, message) {
  node.textContent = "";
  window.setTimeout(() => { node.textContent = message; }, 50);
}

export function downloadBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// HTML the server already sanitised (nh3, an allow-list of tags and attributes), parsed inertly:
// DOMParser never runs scripts, and only the parsed body's nodes are adopted.
export function sanitisedHtml(html) {
  const parsed = new DOMParser().parseFromString(html || "", "text/html");
  const fragment = document.createDocumentFragment();
  fragment.append(...parsed.body.childNodes);
  return fragment;
}
