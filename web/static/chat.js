// The chat page: asks POST /api/ask and renders the answer with its numbered citation cards,
// the related items the answer does not quote in a list of their own, and a small timeline of
// both. The conversation is kept in localStorage so that it survives a reload; `/?q=...` asks
// a question on load; an API key (from `#key=...` or a prompt after a 401) goes with every call.
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
  const filterBox = document.getElementById("filters");
  const FILTERS = ["date_from", "date_to", "source", "place"];
  // The API names its fields (`date_to`); on this page they are the filters' labels.
  const FILTER_LABELS = { date_from: "From", date_to: "To", source: "Source", place: "Place" };
  const HISTORY_SENT = 4; // turns of context sent with a follow-up
  const STORED_TURNS = 30; // turns kept across reloads; a long conversation drops its oldest
  const CONVERSATION_KEY = "dateline.conversation";
  const API_KEY = "dateline.apiKey";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // The answered turns, {question, filters, answer}: sent as context with a follow-up and
  // stored across reloads. Failed questions are shown but not kept.
  let kept = [];
  let turns = 0;
  let busy = false;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function svgText(attrs, text) {
    const node = svg("text", attrs);
    node.textContent = text;
    return node;
  }

  // -- storage: localStorage may be missing or full (private windows, quotas); the page then
  // works as before, it only forgets on reload.

  function readStored(name) {
    try { return window.localStorage.getItem(name); } catch (e) { return null; }
  }

  function writeStored(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(name);
      else window.localStorage.setItem(name, value);
      return true;
    } catch (e) {
      return false;
    }
  }

  function saveConversation() {
    let turnsToStore = kept.slice(-STORED_TURNS);
    while (turnsToStore.length && !writeStored(CONVERSATION_KEY, JSON.stringify(turnsToStore))) {
      turnsToStore = turnsToStore.slice(1); // over the quota: drop the oldest turn and retry
    }
    if (!turnsToStore.length) writeStored(CONVERSATION_KEY, null);
  }

  function loadConversation() {
    let saved = null;
    try { saved = JSON.parse(readStored(CONVERSATION_KEY) || "[]"); } catch (e) { saved = null; }
    if (!Array.isArray(saved)) return [];
    return saved.filter((t) => t && typeof t.question === "string" && t.answer && typeof t.answer === "object")
      .map((t) => ({ question: t.question, filters: cleanFilters(t.filters), answer: t.answer }));
  }

  function cleanFilters(values) {
    const filters = {};
    for (const name of FILTERS) {
      const value = values && typeof values[name] === "string" ? values[name].trim() : "";
      if (value) filters[name] = value;
    }
    return filters;
  }

  // -- API keys: a server with DATELINE_API_KEYS set answers 401 without one.

  // Header values must be visible ASCII; anything else would make fetch() throw.
  function validKey(key) {
    return /^[\x21-\x7e]+$/.test(key);
  }

  function apiHeaders(extra) {
    const headers = { Accept: "application/json", ...(extra || {}) };
    const key = readStored(API_KEY);
    if (key && validKey(key)) headers.Authorization = `Bearer ${key}`;
    return headers;
  }

  // A key handed over in the link (`/#key=...`) is stored, then taken out of the address bar
  // so that it is not left on screen, in the history, or in a shared copy of the address.
  function takeKeyFromFragment() {
    const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (!fragment.has("key")) return;
    const key = (fragment.get("key") || "").trim();
    if (validKey(key)) writeStored(API_KEY, key);
    else statusLine.textContent = "The API key in the link was not used: it has spaces or unusual characters.";
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }

  let keyForm = null;
  let waitingForKey = []; // what to run again once a key is given

  function askForKey(retry) {
    waitingForKey.push(retry);
    const refused = Boolean(readStored(API_KEY));
    const message = refused ? "The server refused the API key stored in this browser. Enter another one:"
      : "This server needs an API key. Enter it to go on:";
    if (!keyForm) {
      const field = el("input", { type: "password", id: "api-key", name: "api-key", autocomplete: "off",
        spellcheck: "false", required: true });
      keyForm = el("form", { class: "key-form", id: "key-form", "aria-label": "API key" },
        el("p", { class: "key-note", id: "key-note" }),
        el("div", { class: "key-row" },
          el("label", { for: "api-key", class: "visually-hidden", text: "API key" }), field,
          el("button", { type: "submit", id: "key-button", text: "Use key" })));
      keyForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        const key = field.value.trim();
        if (!validKey(key)) {
          keyForm.querySelector(".key-note").textContent = "An API key has no spaces or unusual characters.";
          field.focus();
          return;
        }
        writeStored(API_KEY, key);
        keyForm.remove();
        keyForm = null;
        const retries = waitingForKey;
        waitingForKey = [];
        for (const retry of retries) await retry(); // one at a time: a question waits for the last
      });
      statusLine.after(keyForm);
    }
    keyForm.querySelector(".key-note").textContent = message;
    keyForm.querySelector("input").focus();
  }

  // -- rendering a turn

  function itemHref(citation) {
    const path = String(citation.item_id).split("/").map(encodeURIComponent).join("/");
    const query = Number.isInteger(citation.start) && Number.isInteger(citation.end)
      ? `?start=${citation.start}&end=${citation.end}` : "";
    return `/items/${path}${query}#excerpt`;
  }

  // The page's address that asks this question again, with the filters it was asked with.
  function questionHref(question, filters) {
    const params = new URLSearchParams({ q: question });
    for (const name of FILTERS) if (filters && filters[name]) params.set(name, filters[name]);
    return `/?${params}`;
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

  // A numbered card's id is what its [n] markers link to; a related card's id (…-r<i>) is only
  // a target for the timeline.
  function card(citation, id, answerText, numbered) {
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
      // Copies by other sources were also reported there; a copy by the same source (a wire
      // filing its story again) is another version of it.
      const copies = citation.also_in.filter((a) => a && typeof a === "object");
      const others = copies.filter((a) => a.source !== citation.source);
      const versions = copies.length - others.length;
      const names = others.map((a) => [a.source, a.date_display || a.date].filter(Boolean).join(", "));
      if (names.length) extra.push(el("p", { class: "also-in", text: `Also reported in: ${names.join("; ")}` }));
      if (versions) {
        extra.push(el("p", { class: "also-in",
          text: `${versions === 1 ? "Another version" : `${versions} other versions`} of this story from ${citation.source}` }));
      }
    }
    const excerpt = citation.excerpt ? excerptNode(citation, answerText) : null;
    return el("li", { class: "card", id, tabindex: id ? "-1" : null }, head, meta, excerpt, ...extra);
  }

  function jumpTo(id, event) {
    const target = document.getElementById(id);
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "nearest" });
    target.focus();
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
          link.addEventListener("click", (event) => jumpTo(`t${turnId}-c${n}`, event));
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

  // How a note begins that says what to check (qa/answer.py CHECK_NOTE).
  const CHECK_NOTE = "the story quoted first does not";
  const isCheck = (note) => note.startsWith(CHECK_NOTE);
  const notesOf = (data) => (Array.isArray(data.notes) ? data.notes.filter((n) => typeof n === "string" && n) : []);

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

  // -- copy as Markdown: the same text as the OpenAI-compatible endpoint (web/markdown.py
  // answer_markdown; tests/test_web_browser.py compares the two).

  // Characters that would turn a title or a source name into Markdown syntax or HTML.
  const MARKUP = /([\\`*_[\]<>])/g;

  function markdownEscape(text) {
    return String(text).split(/\s+/).filter(Boolean).join(" ").replace(MARKUP, "\\$1");
  }

  // Python's quote(id, safe=""): encodeURIComponent leaves !'()* as they are, and a ")" would
  // end the Markdown link early.
  function itemLink(itemId) {
    const path = encodeURIComponent(String(itemId))
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return `${window.location.origin}/items/${path}`;
  }

  function answerMarkdown(data) {
    const lines = [String(data.answer || "").trim()];
    const checks = notesOf(data).filter(isCheck);
    if (checks.length) lines.push("", ...checks.map((n) => `> Check: ${n}`));
    const citations = Array.isArray(data.citations) ? data.citations : [];
    if (citations.length) lines.push("", "**Sources**", "");
    for (const c of citations) {
      const head = [c.source, c.dateline, c.date_display || c.date].filter(Boolean).map(markdownEscape).join(" · ");
      const link = `[${markdownEscape(c.title || c.item_id)}](${itemLink(c.item_id)})`;
      lines.push(head ? `${c.n}. ${head} — ${link}` : `${c.n}. ${link}`);
    }
    return lines.join("\n");
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (e) { /* refused (no permission, page not focused): try the old way */ }
    }
    // Plain http on another host has no navigator.clipboard: copy from a hidden textarea.
    const area = el("textarea", { class: "copy-buffer", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    document.body.append(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    area.remove();
    return copied;
  }

  function copyButton(data) {
    const feedback = el("span", { class: "copy-feedback", role: "status" });
    const copy = el("button", { type: "button", class: "secondary small copy-markdown",
      title: "Copy the answer and its sources as Markdown", text: "Copy as Markdown" });
    let clear = null;
    copy.addEventListener("click", async () => {
      const markdown = answerMarkdown(data);
      const copied = await copyText(markdown);
      copy.focus();
      feedback.textContent = copied ? "Copied" : "Could not copy: select the answer and copy it by hand.";
      clearTimeout(clear);
      clear = setTimeout(() => { feedback.textContent = ""; }, 4000);
    });
    return el("div", { class: "answer-actions" }, copy, feedback);
  }

  // -- the timeline: cited and related items on a date axis, one mark each.

  const AXIS_FROM = 4; // percent of the width: room for a mark's radius at either end
  const AXIS_TO = 96;
  const MARK_GAP = 3.5; // percent: marks closer than this stack instead of overlapping
  const ROW_HEIGHT = 18; // px between stacked marks
  const MAX_ROWS = 4;

  function dayOf(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(typeof iso === "string" ? iso : "");
    if (!m) return null;
    const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return Number.isNaN(time) ? null : time;
  }

  function dayLabel(time) {
    const d = new Date(time);
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }

  // entries: [{item, id (of its card), n (cited only)}]
  function timelineNode(entries) {
    const dated = [];
    let undated = 0;
    for (const entry of entries) {
      const time = dayOf(entry.item.date);
      if (time === null) undated += 1;
      else dated.push({ ...entry, time });
    }
    if (!dated.length && !undated) return null;
    const figure = el("figure", { class: "timeline" });
    if (dated.length) {
      dated.sort((a, b) => a.time - b.time || (a.n ? 0 : 1) - (b.n ? 0 : 1));
      const first = dated[0].time;
      const last = dated[dated.length - 1].time;
      const rowEnds = [];
      for (const entry of dated) {
        entry.at = last > first ? AXIS_FROM + (entry.time - first) / (last - first) * (AXIS_TO - AXIS_FROM) : 50;
        let row = 0;
        while (row < MAX_ROWS - 1 && rowEnds[row] !== undefined && entry.at - rowEnds[row] < MARK_GAP) row += 1;
        rowEnds[row] = entry.at;
        entry.row = row;
      }
      const axisY = 6 + rowEnds.length * ROW_HEIGHT;
      const picture = svg("svg", { class: "timeline-svg", width: "100%", height: axisY + 20, role: "group",
        "aria-label": `Timeline of ${dated.length} dated item${dated.length === 1 ? "" : "s"}` },
      svg("line", { class: "axis", x1: "1%", x2: "99%", y1: axisY, y2: axisY }));
      const ticks = svg("g", { class: "ticks" });
      const marks = [];
      for (const entry of dated) {
        const x = `${entry.at.toFixed(2)}%`;
        const y = axisY - 10 - entry.row * ROW_HEIGHT;
        const item = entry.item;
        const title = svg("title");
        title.textContent = (entry.n ? `[${entry.n}] ` : "Related: ")
          + [item.date_display || dayLabel(entry.time), item.source, item.title].filter(Boolean).join(" · ");
        // Every stem goes in before any mark, so that a stacked mark's stem runs behind the marks
        // below it rather than across their numbers.
        ticks.append(svg("line", { class: entry.n ? "tick cited" : "tick related", x1: x, x2: x, y1: y, y2: axisY }));
        const mark = svg("a", { class: entry.n ? "mark cited" : "mark related", href: `#${entry.id}` },
          title, svg("circle", { cx: x, cy: y, r: entry.n ? 8 : 5 }),
          entry.n ? svgText({ x, y, "text-anchor": "middle", "dominant-baseline": "central" }, String(entry.n)) : null);
        mark.addEventListener("click", (event) => jumpTo(entry.id, event));
        marks.push(mark);
      }
      picture.append(ticks, ...marks);
      if (last > first) {
        picture.append(svgText({ class: "axis-label", x: "0", y: axisY + 15 }, dayLabel(first)),
          svgText({ class: "axis-label", x: "100%", y: axisY + 15, "text-anchor": "end" }, dayLabel(last)));
      } else {
        picture.append(svgText({ class: "axis-label", x: "50%", y: axisY + 15, "text-anchor": "middle" },
          dayLabel(first)));
      }
      figure.append(picture);
    }
    const caption = el("figcaption", { class: "timeline-caption" },
      el("span", { class: "key cited", text: "cited" }), " ",
      el("span", { class: "key related", text: "related" }),
      undated ? el("span", { class: "undated",
        text: ` · ${undated} item${undated === 1 ? " has" : "s have"} no date and ${undated === 1 ? "is" : "are"} not shown` })
        : "");
    figure.append(caption);
    return figure;
  }

  function renderTurn(turn) {
    turns += 1;
    const turnId = turns;
    const data = turn.answer;
    const answerText = String(data.answer || "");
    // A follow-up's link would ask it alone ("Tell me more" of nothing): it has none.
    const followUp = Array.isArray(data.notes) && data.notes.some((n) => String(n).startsWith("follow-up of"));
    // A name, year or quarter the question uses that the story quoted first does not: shown
    // with the answer, for the reader to check, apart from the notes on how it was read.
    const notes = notesOf(data);
    const checks = notes.filter(isCheck);
    const article = el("article", { class: "turn", "aria-label": `Question ${turnId}` },
      questionNode(turn.question, followUp ? null : turn.filters),
      el("div", { class: data.found === false ? "answer not-found" : "answer" },
        el("span", { class: "who", text: "Answer" }),
        answerNode(data, turnId),
        checks.length ? el("ul", { class: "checks", "aria-label": "To check" },
          ...checks.map((n) => el("li", {}, el("strong", { text: "Check: " }), n))) : "",
        filtersNode(data.filters, notes.filter((n) => !isCheck(n))),
        copyButton(data)));
    const citations = Array.isArray(data.citations) ? data.citations.filter((c) => c && c.item_id) : [];
    // Relevant items the answer does not quote: apart from the citations, with no number.
    const related = Array.isArray(data.related) ? data.related.filter((c) => c && c.item_id) : [];
    const timeline = timelineNode([
      ...citations.map((c) => ({ item: c, id: `t${turnId}-c${c.n}`, n: c.n })),
      ...related.map((c, i) => ({ item: c, id: `t${turnId}-r${i + 1}`, n: null })),
    ]);
    if (timeline) article.append(timeline);
    if (citations.length) {
      article.append(el("h2", { class: "cards-title", text: "Sources" }),
        el("ol", { class: "cards" }, ...citations.map((c) => card(c, `t${turnId}-c${c.n}`, answerText, true))));
    }
    if (related.length) {
      article.append(el("h2", { class: "cards-title", text: "Related" }),
        el("ul", { class: "cards related" }, ...related.map((c, i) => card(c, `t${turnId}-r${i + 1}`, "", false))));
    }
    const nearest = Array.isArray(data.nearest) ? data.nearest.filter((c) => c && c.item_id) : [];
    if (nearest.length) {
      article.append(el("h2", { class: "cards-title", text: "Closest passages" }),
        el("ul", { class: "cards" }, ...nearest.map((c) => card(c, null, "", false))));
    }
    if (typeof data.took_ms === "number") {
      article.append(el("p", { class: "took", text: `${Math.round(data.took_ms)} ms` }));
    }
    conversation.append(article);
    return article;
  }

  function questionNode(question, filters) {
    return el("p", { class: "question" },
      el("span", { class: "who" }, "You ",
        filters ? el("a", { class: "question-link", href: questionHref(question, filters),
          title: "A link that opens this page with this question asked", text: "link" }) : ""),
      question);
  }

  function renderError(question, message) {
    turns += 1;
    const article = el("article", { class: "turn" },
      questionNode(question, null),
      el("p", { class: "error", role: "alert", text: message }));
    conversation.append(article);
    return article;
  }

  // An error the API blames on a filter field, said with the form's labels; the field is
  // shown (its box opened) and marked, until the next question is asked.
  function filterError(error) {
    let message = String(error.message || "");
    for (const [name, label] of Object.entries(FILTER_LABELS)) message = message.split(`\`${name}\``).join(`“${label}”`);
    if (Object.hasOwn(FILTER_LABELS, error.field)) {
      filterBox.open = true;
      document.getElementById(error.field).setAttribute("aria-invalid", "true");
    }
    return message;
  }

  function filterValues() {
    const values = {};
    for (const name of FILTERS) values[name] = document.getElementById(name).value;
    return cleanFilters(values);
  }

  // alone: ask without the conversation as context (a question opened from a link means
  // the same whatever was asked before it in this browser).
  async function ask(question, filters, alone) {
    for (const name of FILTERS) document.getElementById(name).removeAttribute("aria-invalid");
    busy = true;
    button.disabled = true;
    statusLine.textContent = "Searching the archive…";
    const hint = document.getElementById("empty-hint");
    if (hint) hint.remove();
    const body = { question, ...filters };
    const context = alone ? [] : kept.slice(-HISTORY_SENT);
    if (context.length) body.history = context.map((t) => ({ question: t.question, answer: t.answer }));
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: apiHeaders({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (response.status === 401) {
        const article = renderError(question, "Not asked yet: this server needs an API key.");
        statusLine.textContent = "";
        askForKey(() => {
          article.remove();
          return ask(question, filters, alone);
        });
      } else if (!response.ok || !data || data.error) {
        const message = data && data.error ? filterError(data.error) : `The server answered ${response.status}.`;
        renderError(question, message);
        statusLine.textContent = "The question was not answered.";
      } else {
        const turn = { question, filters, answer: data };
        kept.push(turn);
        saveConversation();
        const article = renderTurn(turn);
        statusLine.textContent = data.found === false ? "No answer found in the archive." : "Answered.";
        article.scrollIntoView({ block: "start" });
      }
    } catch (e) {
      renderError(question, "Could not reach the server. Is `dateline serve` running?");
      statusLine.textContent = "";
    } finally {
      busy = false;
      button.disabled = false;
      if (!keyForm) input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (busy) return;
    if (!question) {  // say why nothing happens, rather than nothing
      statusLine.textContent = "Type a question first.";
      input.focus();
      return;
    }
    input.value = "";
    ask(question, filterValues(), false);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Starting again forgets the filters too: dates or a source kept from the last topic would
  // silently narrow the next one.
  newButton.addEventListener("click", () => {
    kept = [];
    saveConversation();
    conversation.replaceChildren();
    const hadFilters = Object.keys(filterValues()).length > 0;
    for (const name of FILTERS) document.getElementById(name).value = "";
    statusLine.textContent = hadFilters ? "New chat started; filters cleared." : "New chat started.";
    input.value = "";
    input.focus();
  });

  // How fresh the archive is, in the header: its newest item's date and the last rebuild's time.
  function showFreshness(info) {
    const freshness = document.getElementById("freshness");
    if (!freshness) return;
    const parts = [];
    if (info.date_to) parts.push(`newest item ${info.date_to}`);
    if (info.indexed_at) parts.push(`rebuilt ${String(info.indexed_at).replace("T", " ").replace(/:\d\d\+00:00$/, " UTC")}`);
    if (info.job && info.job.state === "running") parts.push(`${info.job.kind} running`);
    freshness.textContent = parts.join(" · ");
  }

  async function loadArchiveInfo() {
    try {
      const response = await fetch("/api/status", { headers: apiHeaders() });
      if (response.status === 401) {
        askForKey(loadArchiveInfo);
        return;
      }
      const info = await response.json();
      if (!response.ok) {
        statusLine.textContent = info && info.error ? info.error.message : "The archive is not ready.";
        return;
      }
      const sources = Array.isArray(info.sources) ? info.sources : [];
      const listed = new Set(Array.from(sourceSelect.options, (o) => o.value));
      for (const entry of sources) {
        const name = typeof entry === "string" ? entry : entry && entry.source;
        if (name && !listed.has(name)) sourceSelect.append(el("option", { value: name, text: name }));
      }
      const parts = [];
      if (typeof info.items === "number") parts.push(`${info.items} items`);
      if (info.date_from && info.date_to) parts.push(`${info.date_from} to ${info.date_to}`);
      archiveInfo.textContent = parts.join(" · ");
      showFreshness(info);
    } catch (e) {
      statusLine.textContent = "Could not reach the server.";
    }
  }

  // `/?q=...` (a question's link): show its filters in the form, ask it once, then take it out
  // of the address bar so that a reload does not ask it again.
  async function askFromAddress() {
    const url = new URL(window.location.href);
    const question = (url.searchParams.get("q") || "").trim();
    if (!url.searchParams.has("q")) return;
    const filters = {};
    for (const name of FILTERS) filters[name] = url.searchParams.get(name) || "";
    const given = cleanFilters(filters);
    for (const [name, value] of Object.entries(given)) {
      const field = document.getElementById(name);
      if (field === sourceSelect && !Array.from(field.options).some((o) => o.value === value)) {
        field.append(el("option", { value, text: value }));
      }
      field.value = value;
    }
    if (Object.keys(given).length) filterBox.open = true;
    // The filters go as the link gave them, so that the server names any that is malformed.
    if (question) await ask(question, given, true);
    for (const name of ["q", ...FILTERS]) url.searchParams.delete(name);
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  takeKeyFromFragment();
  window.addEventListener("hashchange", takeKeyFromFragment); // a `#key=` pasted onto the open page
  kept = loadConversation();
  for (const turn of kept) renderTurn(turn);
  if (kept.length) {
    const hint = document.getElementById("empty-hint");
    if (hint) hint.remove();
    conversation.lastElementChild.scrollIntoView({ block: "start" });
  }
  input.focus();
  loadArchiveInfo().then(askFromAddress);
})();
