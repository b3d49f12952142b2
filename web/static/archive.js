// The archive page: the archive's counts (GET /api/status), uploads (POST /api/import, from the
// drop zone or the file picker), the running job's progress (GET /api/jobs/<id> about once a
// second) and the latest jobs with their reports (GET /api/jobs). Uploads and reports need the
// reindex token: asked for once, kept in localStorage, or taken from `#token=...` in the link.
// Reports hold text from the files, so this script only ever sets textContent.
"use strict";

(function () {
  const TOKEN_KEY = "dateline.reindexToken";
  const POLL_MS = 1000;
  const SHOWN_JOBS = 10;
  const LISTED_REJECTIONS = 20; // per file; the count is always whole

  const statusLine = document.getElementById("status");
  const counts = document.getElementById("counts");
  const tokenForm = document.getElementById("token-form");
  const tokenField = document.getElementById("token");
  const tokenNote = document.getElementById("token-note");
  const dropZone = document.getElementById("drop-zone");
  const fileInput = document.getElementById("file-input");
  const current = document.getElementById("current-job");
  const jobTitle = document.getElementById("job-title");
  const jobState = document.getElementById("job-state");
  const jobProgress = document.getElementById("job-progress");
  const jobDetail = document.getElementById("job-detail");
  const jobList = document.getElementById("jobs");

  let following = null; // the id of the job whose progress is shown
  let pending = null; // files waiting for a token
  let memoryToken = null; // the token, where localStorage cannot keep it

  // -- the token: localStorage may be missing or full (private windows); the prompt then comes back.

  function readToken() {
    try { return window.localStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function writeToken(value) {
    try {
      if (value === null) window.localStorage.removeItem(TOKEN_KEY);
      else window.localStorage.setItem(TOKEN_KEY, value);
    } catch (e) { /* kept for this page only */ }
    memoryToken = value;
  }

  function token() {
    return readToken() || memoryToken;
  }

  // Header values must be visible ASCII; anything else would make fetch() throw.
  function validToken(value) {
    return /^[\x21-\x7e]+$/.test(value);
  }

  function headers() {
    const given = token();
    return given ? { Accept: "application/json", Authorization: `Bearer ${given}` } : { Accept: "application/json" };
  }

  function takeTokenFromFragment() {
    const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    if (!fragment.has("token")) return;
    const given = (fragment.get("token") || "").trim();
    if (validToken(given)) writeToken(given);
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }

  function askForToken(message) {
    tokenNote.textContent = message;
    tokenForm.hidden = false;
    tokenField.focus();
  }

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const given = tokenField.value.trim();
    if (!validToken(given)) {
      tokenNote.textContent = "A token has no spaces or unusual characters.";
      return;
    }
    writeToken(given);
    tokenField.value = "";
    tokenForm.hidden = true;
    const files = pending;
    pending = null;
    if (files) upload(files);
    loadJobs();
  });

  // A refused request: ask for the token again, or say that uploads are off on this server.
  async function refused(response) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch (e) { /* not JSON */ }
    if (error.code === "reindex_disabled") {
      statusLine.textContent = "Uploads are off on this server: it has no reindex token set (DATELINE_REINDEX_TOKEN).";
      return;
    }
    const had = Boolean(token());
    if (had) writeToken(null);
    askForToken(had ? "The server refused this token. Enter the reindex token (DATELINE_REINDEX_TOKEN):"
      : "Enter the reindex token (DATELINE_REINDEX_TOKEN):");
  }

  // -- the archive's counts

  function count(label, value) {
    return el("div", {}, el("dt", { text: label }), el("dd", { text: value }));
  }

  function when(iso) {
    return iso ? String(iso).replace("T", " ").replace(/\+00:00$/, " UTC") : "";
  }

  async function loadCounts() {
    try {
      const response = await fetch("/api/status", { headers: { Accept: "application/json" } });
      const info = await response.json();
      if (!response.ok) {
        counts.replaceChildren(count("Archive", info.error ? info.error.message : "not ready"));
        return null;
      }
      counts.replaceChildren(
        count("Items", String(info.items)),
        count("Chunks", String(info.chunks)),
        count("Dates", info.date_from ? `${info.date_from} to ${info.date_to}` : "none"),
        count("Sources", String((info.sources || []).length)),
        count("Last rebuild", info.indexed_at ? when(info.indexed_at) : "never"),
      );
      return info;
    } catch (e) {
      statusLine.textContent = "Could not reach the server.";
      return null;
    }
  }

  // -- uploads

  async function upload(files) {
    if (!files.length) return;
    if (!token()) {
      pending = files;
      askForToken("Enter the reindex token (DATELINE_REINDEX_TOKEN) to import these files:");
      return;
    }
    const form = new FormData();
    for (const file of files) form.append("file", file, file.name);
    for (const name of ["source", "year", "format"]) {
      const value = document.getElementById(name).value.trim();
      if (value) form.append(name, value);
    }
    form.append("index", document.getElementById("index").checked ? "true" : "false");
    statusLine.textContent = `Uploading ${files.length === 1 ? files[0].name : `${files.length} files`}…`;
    let response;
    try {
      response = await fetch("/api/import", { method: "POST", body: form, headers: headers() });
    } catch (e) {
      statusLine.textContent = "The upload did not reach the server.";
      return;
    }
    if (response.status === 401 || response.status === 403) {
      pending = files;
      await refused(response);
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      statusLine.textContent = data.error ? data.error.message : `The server answered ${response.status}.`;
      return;
    }
    statusLine.textContent = `Uploaded: job ${data.id}.`;
    follow(data);
  }

  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("over");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("over");
    upload(Array.from(event.dataTransfer ? event.dataTransfer.files : []));
  });
  dropZone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      fileInput.click();
    }
  });
  fileInput.addEventListener("change", () => {
    upload(Array.from(fileInput.files));
    fileInput.value = "";
  });

  // -- the running job

  function describeProgress(job) {
    const p = job.progress;
    if (job.state === "queued") return "Waiting for the job before it to finish.";
    if (!p) return "";
    let text = `${p.phase || "working"}: ${p.done ?? 0}${p.total != null ? ` of ${p.total}` : ""} ${p.unit || ""}`;
    if (p.rate) text += `, ${p.rate} ${p.unit || ""}/s`;
    if (p.seconds_left != null) text += `, about ${Math.ceil(p.seconds_left)} s left`;
    return text;
  }

  function showJob(job) {
    current.hidden = false;
    jobTitle.textContent = `Job ${job.id} (${job.kind}, from ${job.origin}):`;
    jobState.textContent = job.state;
    jobState.className = `job-state state-${job.state}`;
    const p = job.progress;
    if (job.state === "done") {
      jobProgress.max = 1;
      jobProgress.value = 1;
    } else if (p && p.total) {
      jobProgress.max = p.total;
      jobProgress.value = Math.min(p.done || 0, p.total);
    } else {
      jobProgress.removeAttribute("value"); // indeterminate: queued, or a total not yet known
    }
    jobDetail.textContent = job.state === "failed" ? job.error || "failed" : job.state === "done"
      ? summary(job) : describeProgress(job);
  }

  async function follow(job) {
    following = job.id;
    showJob(job);
    while (following === job.id && (job.state === "queued" || job.state === "running")) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      try {
        const response = await fetch(`/api/jobs/${job.id}`, { headers: headers() });
        if (response.status === 401) {
          await refused(response);
          return;
        }
        if (!response.ok) continue;
        job = await response.json();
      } catch (e) {
        continue; // the server restarting: try again
      }
      showJob(job);
    }
    if (following === job.id) {
      loadCounts();
      loadJobs();
    }
  }

  // -- the latest jobs and their reports

  function summary(job) {
    const result = job.result || {};
    const parts = [];
    if (result.totals) {
      // "undated" is said only when some are, as the command line says it
      parts.push(Object.entries(result.totals).filter(([k, v]) => k !== "undated" || v)
        .map(([k, v]) => `${v} ${k}`).join(", "));
    }
    const built = job.kind === "index" ? result : result.index;
    if (built && built.published !== undefined) {
      parts.push(built.published ? `index rebuilt: ${built.embedded} chunks embedded, ${built.chunks_reused} reused`
        : "index already up to date");
    }
    return parts.join("; ");
  }

  function reportList(job) {
    const result = job.result || {};
    const lines = [];
    for (const file of result.files || []) {
      lines.push(el("li", { text: `${file.file} (${file.format}): ${file.added} added, ${file.updated} updated, `
        + `${file.unchanged} unchanged, ${file.rejected} rejected` + (file.undated ? `, ${file.undated} undated` : "") }));
      for (const r of (file.rejections || []).slice(0, LISTED_REJECTIONS)) {
        lines.push(el("li", { class: "rejected", text: `rejected ${r.file}${r.line != null ? `:${r.line}` : ""}: ${r.reason}` }));
      }
      if (file.rejected > LISTED_REJECTIONS) {
        lines.push(el("li", { class: "rejected", text: `… and ${file.rejected - LISTED_REJECTIONS} more rejected` }));
      }
    }
    for (const s of result.skipped || []) {
      lines.push(el("li", { class: "rejected", text: `skipped ${s.file}: ${s.reason}` }));
    }
    return lines.length ? el("ul", {}, ...lines) : null;
  }

  function jobNode(job) {
    const head = el("p", {}, el("strong", { text: `Job ${job.id}` }), ` ${job.kind} from ${job.origin} · `,
      el("span", { class: `job-badge state-${job.state}`, text: job.state }));
    const meta = el("p", { class: "job-meta", text: when(job.finished_at || job.started_at || job.created_at) });
    const said = job.state === "failed" ? el("p", { class: "error", text: job.error || "failed" })
      : el("p", { text: job.state === "done" ? summary(job) : describeProgress(job) });
    return el("li", { class: "job", id: `job-${job.id}` }, head, meta, said, reportList(job));
  }

  async function loadJobs() {
    if (!token()) {
      askForToken("Enter the reindex token (DATELINE_REINDEX_TOKEN) to import files and see the jobs:");
      return;
    }
    try {
      const response = await fetch(`/api/jobs?limit=${SHOWN_JOBS}`, { headers: headers() });
      if (response.status === 401 || response.status === 403) {
        await refused(response);
        return;
      }
      const data = await response.json();
      if (!response.ok) {
        statusLine.textContent = data.error ? data.error.message : "Could not list the jobs.";
        return;
      }
      jobList.replaceChildren(...data.jobs.map(jobNode));
      if (!data.jobs.length) jobList.append(el("li", { class: "job-meta", text: "No jobs yet." }));
    } catch (e) {
      statusLine.textContent = "Could not reach the server.";
    }
  }

  takeTokenFromFragment();
  window.addEventListener("hashchange", takeTokenFromFragment);
  loadCounts().then((info) => {
    // A job under way from anywhere (a shell, `dateline watch`) is followed too.
    if (info && info.job && following === null) follow(info.job);
  });
  loadJobs();
})();
