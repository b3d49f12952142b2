// DOM building shared by the chat and archive pages. Item text is untrusted, so nodes are made
// here and text only ever goes in as textContent: no innerHTML anywhere.
"use strict";

// el("a", {class: "x", href: url, text: "label"}, child, ...): an element with its attributes
// (null, undefined and false left out; true as an empty attribute) and children (strings as text).
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === "") continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}
