// The chat page: asks POST /api/ask and renders the answer with its numbered citation cards,
// and the related items the answer does not quote in a list of their own.
// Item text is untrusted, so this script builds every node itself and only ever sets
// textContent: no innerHTML anywhere.
"use strict";

(function () {
  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const button = document.getElementById("ask-button");
  const conversation = document.getElementById("conversation");
  const statusLine = document.getElementById("status");
  const newButton = document.getElementById("new-conversation");
  const archiveInfo = document.getElementById("archive-info");
  const sourceSelect = document.getElementById("source");
  const HISTORY_SENT = 4; // turns of context sent with a follow-up

  let history = [];
  let turns = 0;
  let busy = false;

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

  function itemHref(citation) {
    const path = String(citation.item_id).split("/").map(encodeURIComponent).join("/");
    const query = Number.isInteger(citation.start) && Number.isInteger(citation.end)
      ? `?start=${citation.start}&end=${citation.end}` : "";
    return `/items/${path}${query}#excerpt`;
  }

  // Where the answering sentence sits in the excerpt: [start, end) or null.
  function highlightRange(citation, answerText) {
    const excerpt = citation.excerpt || "";
    const h = citation.highlight;
    if (Array.isArray(h) && h.length === 2 && Number.isInteger(h[0]) && Number.isInteger(h[1])) {
      return h[0] < h[1] && h[1] <= excerpt.length ? [h[0], h[1]] : null;
    }
    if (h && typeof h === "object" && Number.isInteger(h.start) && Number.isInteger(h.end)) {
      return h.start < h.end && h.end <= excerpt.length ? [h.start, h.end] : null;
    }
    const candidates = typeof h === "string" && h ? [h] : sentencesCiting(answerText, citation.n);
    let best = null;
    for (const sentence of candidates) {
      const at = excerpt.indexOf(sentence);
      if (at >= 0 && (!best || sentence.length > best[1] - best[0])) best = [at, at + sentence.length];
    }
    return best;
  }

  // The pieces of the answer that end in the marker [n], without their markers.
  function sentencesCiting(answerText, n) {
    const found = [];
    const pattern = /\[(\d+)\]/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(answerText || "")) !== null) {
      const piece = answerText.slice(last, match.index).replace(/\s+$/, "").replace(/^[\s.,;:]+/, "");
      if (Number(match[1]) === n && piece.length > 12) found.push(piece);
      last = match.index + match[0].length;
    }
    return found;
  }

  function excerptNode(citation, answerText) {
    const excerpt = citation.excerpt || "";
    const range = highlightRange(citation, answerText);
    const quote = el("blockquote", { class: "excerpt" });
    if (!range) {
      quote.append(excerpt);
      return quote;
    }
    quote.append(excerpt.slice(0, range[0]), el("mark", { text: excerpt.slice(range[0], range[1]) }),
      excerpt.slice(range[1]));
    return quote;
  }

  function card(citation, turnId, answerText, numbered) {
    const id = numbered ? `t${turnId}-c${citation.n}` : null;
    const date = citation.date_display || citation.date || "undated";
    const meta = el("p", { class: "card-meta" },
      el("span", { class: "source", text: citation.source || "unknown source" }),
      citation.dateline ? " · " : "",
      citation.dateline ? el("span", { class: "dateline", text: citation.dateline }) : "",
      " · ",
      el("time", { class: "date", datetime: citation.date || null, text: date }),
      citation.year_inferred ? el("span", {
        class: "badge", title: "The text gave no year; it was inferred", text: "year inferred",
      }) : "");
    const head = el("p", { class: "card-head" },
      numbered ? el("span", { class: "num", text: `[${citation.n}]` }) : "",
      el("a", { href: itemHref(citation), class: "card-title", text: citation.title || "Untitled item" }));
    const extra = [];
    if (Array.isArray(citation.also_in) && citation.also_in.length) {
      const names = citation.also_in.map((a) => (a && typeof a === "object")
        ? [a.source, a.date_display || a.date].filter(Boolean).join(", ") : String(a));
      extra.push(el("p", { class: "also-in", text: `Also reported in: ${names.join("; ")}` }));
    }
    const excerpt = citation.excerpt ? excerptNode(citation, answerText) : null;
    return el("li", { class: "card", id, tabindex: numbered ? "-1" : null }, head, meta, excerpt, ...extra);
  }

  function answerNode(data, turnId) {
    const numbers = new Set((data.citations || []).map((c) => c.n));
    const wrap = el("div", { class: "answer-text" });
    for (const paragraph of String(data.answer || "").split(/\n\s*\n/)) {
      const p = el("p");
      const pattern = /\[(\d+)\]/g;
      let last = 0;
      let match;
      while ((match = pattern.exec(paragraph)) !== null) {
        p.append(paragraph.slice(last, match.index));
        const n = Number(match[1]);
        if (numbers.has(n)) {
          const link = el("a", { href: `#t${turnId}-c${n}`, class: "cite", text: match[0],
            "aria-label": `citation ${n}` });
          link.addEventListener("click", (event) => {
            const target = document.getElementById(`t${turnId}-c${n}`);
            if (!target) return;
            event.preventDefault();
            target.scrollIntoView({ block: "nearest" });
            target.focus();
          });
          p.append(link);
        } else {
          p.append(match[0]);
        }
        last = match.index + match[0].length;
      }
      p.append(paragraph.slice(last));
      wrap.append(p);
    }
    return wrap;
  }

  // The filters the answer was searched with, and how they were read from the question.
  function filtersNode(filters, notes) {
    const parts = [];
    if (filters) {
      if (filters.date_from && filters.date_to) parts.push(`from ${filters.date_from} to ${filters.date_to}`);
      else if (filters.date_from) parts.push(`from ${filters.date_from}`);
      else if (filters.date_to) parts.push(`until ${filters.date_to}`);
      if (filters.source) parts.push(`source: ${filters.source}`);
      if (filters.place) parts.push(`place: ${filters.place}`);
    }
    const lines = Array.isArray(notes) ? notes.filter((n) => typeof n === "string" && n) : [];
    if (!parts.length && !lines.length) return null;
    const box = el("div", { class: "filters-used" },
      el("span", { class: "label", text: "Searched " }),
      parts.length ? el("span", { class: "filter-values", text: parts.join(" · ") }) : "all items");
    if (lines.length) box.append(el("ul", { class: "notes" }, ...lines.map((n) => el("li", { text: n }))));
    return box;
  }

  function renderTurn(question, data) {
    turns += 1;
    const turnId = turns;
    const answerText = String(data.answer || "");
    const article = el("article", { class: "turn", "aria-label": `Question ${turnId}` },
      el("p", { class: "question" }, el("span", { class: "who", text: "You" }), question),
      el("div", { class: data.found === false ? "answer not-found" : "answer" },
        el("span", { class: "who", text: "Answer" }),
        answerNode(data, turnId),
        filtersNode(data.filters, data.notes)));
    const citations = data.citations || [];
    if (citations.length) {
      article.append(el("h2", { class: "cards-title", text: "Sources" }),
        el("ol", { class: "cards" }, ...citations.map((c) => card(c, turnId, answerText, true))));
    }
    // Relevant items the answer does not quote: apart from the citations, with no number.
    const related = Array.isArray(data.related) ? data.related.filter((c) => c && c.item_id) : [];
    if (related.length) {
      article.append(el("h2", { class: "cards-title", text: "Related" }),
        el("ul", { class: "cards related" }, ...related.map((c) => card(c, turnId, "", false))));
    }
    const nearest = Array.isArray(data.nearest) ? data.nearest.filter((c) => c && c.item_id) : [];
    if (nearest.length) {
      article.append(el("h2", { class: "cards-title", text: "Closest passages" }),
        el("ul", { class: "cards" }, ...nearest.map((c) => card(c, turnId, "", false))));
    }
    if (typeof data.took_ms === "number") {
      article.append(el("p", { class: "took", text: `${Math.round(data.took_ms)} ms` }));
    }
    conversation.append(article);
    return article;
  }

  function renderError(question, message) {
    turns += 1;
    const article = el("article", { class: "turn" },
      el("p", { class: "question" }, el("span", { class: "who", text: "You" }), question),
      el("p", { class: "error", role: "alert", text: message }));
    conversation.append(article);
  }

  function filterValues() {
    const values = {};
    for (const name of ["date_from", "date_to", "source", "place"]) {
      const value = document.getElementById(name).value.trim();
      if (value) values[name] = value;
    }
    return values;
  }

  async function ask(question) {
    busy = true;
    button.disabled = true;
    statusLine.textContent = "Searching the archive…";
    const hint = document.getElementById("empty-hint");
    if (hint) hint.remove();
    const body = { question, ...filterValues() };
    if (history.length) body.history = history.slice(-HISTORY_SENT);
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok || !data || data.error) {
        const message = data && data.error ? data.error.message : `The server answered ${response.status}.`;
        renderError(question, message);
        statusLine.textContent = "The question was not answered.";
      } else {
        const article = renderTurn(question, data);
        history.push({ question, answer: data });
        statusLine.textContent = data.found === false ? "No answer found in the archive." : "Answered.";
        article.scrollIntoView({ block: "start" });
      }
    } catch (e) {
      renderError(question, "Could not reach the server. Is `dateline serve` running?");
      statusLine.textContent = "";
    } finally {
      busy = false;
      button.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  newButton.addEventListener("click", () => {
    history = [];
    conversation.replaceChildren();
    statusLine.textContent = "New conversation started.";
    input.value = "";
    input.focus();
  });

  async function loadArchiveInfo() {
    try {
      const response = await fetch("/api/status", { headers: { Accept: "application/json" } });
      const info = await response.json();
      if (!response.ok) {
        statusLine.textContent = info && info.error ? info.error.message : "The archive is not ready.";
        return;
      }
      const sources = Array.isArray(info.sources) ? info.sources : [];
      for (const entry of sources) {
        const name = typeof entry === "string" ? entry : entry && entry.source;
        if (name) sourceSelect.append(el("option", { value: name, text: name }));
      }
      const parts = [];
      if (typeof info.items === "number") parts.push(`${info.items} items`);
      if (info.date_from && info.date_to) parts.push(`${info.date_from} to ${info.date_to}`);
      archiveInfo.textContent = parts.join(" · ");
    } catch (e) {
      statusLine.textContent = "Could not reach the server.";
    }
  }

  loadArchiveInfo();
  input.focus();
})();
