// articast studio: draws the library and the episode pages from the studio's JSON routes.
// No framework, no build step; every text from an article is set with textContent.
"use strict";

const TOKEN_KEY = "articast-studio-token";
// The pipeline's stages, as the CLI shows them (each episode view sends them again).
let STAGES = ["ingest", "talk", "narrate", "voices", "artwork", "audio", "encode",
  "captions", "visuals", "video", "publish"];
const query = new URLSearchParams(location.search);
if (query.get("token")) {
  try { localStorage.setItem(TOKEN_KEY, query.get("token")); } catch (e) { /* private mode */ }
}
const token = query.get("token") || (() => {
  try { return localStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
})();
const main = document.getElementById("main");
const notice = document.getElementById("notice");
let pollTimer = null;

// ----------------------------------------------------------------------------- helpers

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function withToken(path) {
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (method !== "GET") options.headers["X-Studio-Token"] = token;
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    if (type.includes("json")) message = (await response.json()).error || message;
    throw new Error(message);
  }
  return type.includes("json") ? response.json() : response;
}

function clock(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(r).padStart(2, "0")}`;
}

function when(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleString();
}

function badge(status) {
  const words = { script: "script only", built: "built", edited: "edited, not built",
    queued: "queued", building: "building", failed: "build failed" };
  return el("span", { class: `status ${status}`, text: words[status] || status });
}

function say(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function poll(fn, ms) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    try { await fn(); } catch (e) { /* the next poll tries again */ }
    poll(fn, ms);
  }, ms);
}

// ----------------------------------------------------------------------------- the library

async function library() {
  document.title = "articast studio";
  const data = await api("GET", "/api/episodes");
  document.getElementById("where").textContent = data.out;
  const table = el("table", { class: "library", id: "episodes" });
  const body = el("tbody");
  const fill = (episodes) => {
    body.replaceChildren(...episodes.map((e) => el("tr", { dataset: { slug: e.slug } },
      el("td", {}, el("a", { href: withToken(`/episode/${encodeURIComponent(e.slug)}`), text: e.title })),
      el("td", { text: e.duration ? clock(e.duration) : "" }),
      el("td", {}, badge(e.status), e.message ? el("div", { class: "error", text: e.message }) : null),
      el("td", { text: when(e.updated) }))));
    if (!episodes.length) {
      body.append(el("tr", {}, el("td", { colspan: 4, class: "dim", text: "No episodes yet: make one below." })));
    }
  };
  table.append(el("thead", {}, el("tr", {}, el("th", { text: "Episode" }), el("th", { text: "Length" }),
    el("th", { text: "Status" }), el("th", { text: "Last build" }))), body);
  fill(data.episodes);
  main.replaceChildren(el("h1", { text: "Episodes" }), el("div", { class: "panel" }, table),
    newEpisode(data.inputs, data.articles || []));
  poll(async () => fill((await api("GET", "/api/episodes")).episodes), 2500);
}

function newEpisode(inputs, articles) {
  const error = el("p", { class: "error", id: "new-error", role: "alert" });
  const busy = el("p", { class: "dim", id: "new-busy" });
  async function create(event, send) {
    event.preventDefault();
    error.textContent = "";
    busy.textContent = "Reading the article and writing its script…";
    const buttons = [...document.querySelectorAll(".new-grid button")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const card = await send();
      location.assign(withToken(`/episode/${encodeURIComponent(card.slug)}`));
    } catch (e) {
      error.textContent = e.message;
      busy.textContent = "";
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  const path = el("input", { type: "text", name: "path", id: "new-path", required: true,
    list: "articles", autocomplete: "off", placeholder: articles[0] || "article.html" });
  const choices = el("datalist", { id: "articles" }, articles.map((a) => el("option", { value: a })));
  const file = el("input", { type: "file", name: "file", id: "new-file", required: true,
    accept: ".html,.htm,.md,.markdown,.txt,text/html,text/markdown,text/plain" });
  const text = el("textarea", { name: "text", id: "new-text", rows: 4, required: true,
    placeholder: "# Title\n\nThe article's text…" });
  const url = el("input", { type: "url", name: "url", id: "new-url", required: true,
    placeholder: "https://example.org/article" });
  const folders = inputs.length ? `in ${inputs.join(", ")}` : "none: start the studio with --input FOLDER";
  return el("section", { class: "panel", id: "new" },
    el("h2", { text: "New episode" }),
    el("div", { class: "new-grid" },
      el("form", { id: "from-path", onsubmit: (e) => create(e, () => api("POST", "/api/episodes", { source: path.value })) },
        el("label", { for: "new-path", text: "A file on this computer" }), path, choices,
        el("small", { class: "dim", text: `Input folders: ${folders}` }),
        el("button", { class: "primary", type: "submit", text: "Make episode" })),
      el("form", { id: "from-file", onsubmit: (e) => create(e, () => {
        const form = new FormData();
        form.append("file", file.files[0]);
        return api("POST", "/api/episodes", form);
      }) }, el("label", { for: "new-file", text: "Upload a file" }), file,
        el("button", { class: "primary", type: "submit", text: "Upload and make" })),
      el("form", { id: "from-text", onsubmit: (e) => create(e, () => api("POST", "/api/episodes", { text: text.value, name: "pasted.md" })) },
        el("label", { for: "new-text", text: "Paste the article" }), text,
        el("button", { class: "primary", type: "submit", text: "Make episode" })),
      el("form", { id: "from-url", onsubmit: (e) => create(e, () => api("POST", "/api/episodes", { source: url.value })) },
        el("label", { for: "new-url", text: "An address on the web" }), url,
        el("button", { class: "primary", type: "submit", text: "Fetch and make" }))),
    busy, error);
}

// ----------------------------------------------------------------------------- an episode

const state = { slug: "", view: null, built: null, activeJob: null };

async function episode(slug) {
  state.slug = slug;
  state.view = null;
  state.built = null;
  await refresh(true);
  poll(() => refresh(false), 1200);
}

function dirtyInputs() {
  return [...document.querySelectorAll("textarea.line")].filter((i) => i.value !== i.dataset.old);
}

async function refresh(first) {
  const view = await api("GET", `/api/episodes/${encodeURIComponent(state.slug)}`);
  if (Array.isArray(view.stages)) STAGES = view.stages;
  const job = view.jobs.filter((j) => j.kind === "build").pop() || null;
  if (first || !state.view) {
    draw(view);
  } else if (view.version !== state.view.version) {
    if (dirtyInputs().length) {
      say("The script changed in another window or by another build; save or undo your edit, then it shows here.");
    } else {
      draw(view);
      if (state.view && state.view.card.updated === view.card.updated) say("The script changed in another window: showing it.");
    }
  } else {
    updateStatus(view);
  }
  showJob(job);
}

function updateStatus(view) {
  const status = document.getElementById("status");
  if (status) status.replaceChildren(badge(view.card.status));
  state.view = { ...state.view, card: view.card, jobs: view.jobs };
}

function draw(view) {
  const previous = state.view;
  state.view = view;
  const c = view.card;
  document.title = `${c.title} · articast studio`;
  document.getElementById("where").textContent = view.source;
  const head = el("div", {},
    el("p", {}, el("a", { href: withToken("/"), id: "back", text: "← All episodes" })),
    el("h1", { id: "title", text: c.title }),
    el("p", { class: "dim" }, el("span", { id: "status" }, badge(c.status)),
      ` ${c.language || ""} · ${c.duration ? clock(c.duration) : "not built"} · last build ${when(c.updated)}`));
  const parts = el("div", { id: "parts" }, view.parts.map((p) => part(p)));
  const general = view.warnings.map((w) => el("div", { class: "warning", text: w }));
  main.replaceChildren(head, toolbar(view), player(view, previous), ...general, parts);
}

function toolbar(view) {
  const select = el("select", { id: "voice", "aria-label": "Voice" },
    view.voices.map((v) => el("option", { value: v.spec, text: v.label + (v.available ? "" : " (not installed)"),
      selected: v.spec === view.voice, disabled: !v.available && v.spec !== view.voice })));
  select.addEventListener("change", async () => {
    try {
      await api("POST", `/api/episodes/${encodeURIComponent(state.slug)}/voice`, { voice: select.value });
      say(`The next build speaks with ${select.value}. Listen to it first with "Audition".`);
    } catch (e) { say(e.message); }
  });
  const audition = el("button", { id: "audition", type: "button", text: "Audition voice", onclick: async () => {
    const first = view.parts.flatMap((p) => p.sentences)[0];
    if (first) await listen(first.line, select.value, document.getElementById("job-msg"));
  } });
  const build = el("button", { id: "build", class: "primary", type: "button", text: "Build", onclick: async () => {
    const msg = document.getElementById("job-msg");
    try {
      build.disabled = true;
      const job = await api("POST", `/api/episodes/${encodeURIComponent(state.slug)}/build`, { voice: select.value });
      msg.className = "dim";
      msg.textContent = `Build queued (job ${job.id}).`;
      showJob(job);
    } catch (e) {
      msg.className = "error";
      msg.textContent = e.message;
    } finally { build.disabled = false; }
  } });
  const publish = el("button", { id: "publish", type: "button", text: "Publish", onclick: async () => {
    const out = document.getElementById("published");
    out.className = "dim";
    out.textContent = "Publishing…";
    try {
      const done = await api("POST", `/api/episodes/${encodeURIComponent(state.slug)}/publish`);
      const local = done.feed_url.startsWith("/") ? "/show/feed.xml" : done.feed_url;
      out.className = "ok";
      out.replaceChildren(`Published: ${done.in_feed ? "this episode is" : "this episode is not"} in the feed `
        + `(${done.episodes} episode${done.episodes === 1 ? "" : "s"}). Feed: `,
        el("a", { href: local, id: "feed-link", text: done.feed_url.startsWith("/") ? location.origin + "/show/feed.xml" : done.feed_url }),
        done.feed_url.startsWith("/") ? " (set base_url in articast.toml for its public address)" : "",
        ...done.warnings.map((w) => el("div", { class: "warning", text: w })));
    } catch (e) {
      out.className = "error";
      out.textContent = e.message;
    }
  } });
  return el("section", { class: "panel" },
    el("div", { class: "toolbar" }, el("label", { for: "voice", text: "Voice" }), select, audition, build, publish),
    el("p", { id: "job-msg", class: "dim", role: "status" }),
    el("div", { id: "progress", class: "progress" }),
    el("p", { id: "published", role: "status" }));
}

function player(view, previous) {
  const files = view.files;
  if (!files.audio) return el("section", { class: "panel dim", id: "player-panel", text: "Not built yet: press Build to hear it." });
  const v = encodeURIComponent(view.card.updated || "0");
  const src = (name) => `/files/${encodeURIComponent(state.slug)}/${encodeURIComponent(name)}?v=${v}`;
  const audio = el("audio", { id: "player", controls: true, preload: "metadata", src: src(files.audio) });
  const chapters = el("ol", { class: "chapters", id: "chapters" }, view.chapters.map((ch) =>
    el("li", {}, el("button", { type: "button", onclick: () => { audio.currentTime = ch.start; audio.play().catch(() => {}); } },
      `${clock(ch.start)} ${ch.title}`))));
  const left = el("div", {}, el("h2", { text: "Podcast" }), audio, chapters);
  const right = files.video
    ? el("div", {}, el("h2", { text: "Video" }), el("video", { id: "video", controls: true, preload: "metadata", src: src(files.video),
      poster: files.thumbnail ? src(files.thumbnail) : null }))
    : el("div", {}, el("h2", { text: "Video" }), el("p", { class: "dim", text: "No video in this build." }));
  return el("section", { class: "panel player", id: "player-panel" }, left, right);
}

function part(p) {
  const side = el("div", { class: "article-side" },
    el("div", { class: "kind", text: "Article" }),
    p.article_text.length
      ? [p.article_heading ? el("h3", { text: p.article_heading }) : null, p.article_text.map((t) => el("p", { text: t }))]
      : el("p", { class: "dim", text: p.kind === "section" ? "The article's text is not available (offline?)." : `The ${p.kind} is articast's own words.` }));
  const sentences = el("div", { class: "sentences" }, p.sentences.map((s) => sentence(p, s)));
  const script = el("div", {},
    el("div", { class: "kind", text: `${p.kind}${p.start !== null ? " · " + clock(p.start) : ""}` }),
    el("h3", { text: p.title }),
    p.warnings.map((w) => el("div", { class: "warning", text: w })),
    sentences, plan(p));
  return el("section", { class: "panel part", id: `part-${p.index}`, dataset: { part: p.index } }, side, script);
}

function plan(p) {
  if (!p.beats.length && !p.preview) return null;
  const v = encodeURIComponent(state.view.card.updated || "0");
  const img = p.preview
    ? el("img", { src: `/files/${encodeURIComponent(state.slug)}/${p.preview}?v=${v}`, alt: `The picture of ${p.title}`, class: "preview" })
    : el("div", {});
  const words = { points: "key point", quote: "quote", number: "number", chart: "chart", image: "the article's picture",
    icon: "icon", title: "title" };
  const items = p.beats.map((b) => el("li", {}, el("b", { text: words[b.kind] || b.kind }),
    `: ${b.text || b.name || ""} `, el("span", { class: "dim", text: `(${clock(b.start)}–${clock(b.end)})` })));
  return el("div", { class: "plan" }, img, el("div", {}, el("div", { class: "kind", text: "Picture plan (last build)" }), el("ul", {}, items)));
}

function sentence(p, s) {
  const input = el("textarea", { class: "line", rows: 1, "aria-label": `Sentence ${s.index + 1} of ${p.title}`,
    dataset: { old: s.line, part: p.index, index: s.index }, spellcheck: "true",
    title: "Enter saves; Shift+Enter starts another sentence; word{how it is said} sets a pronunciation" });
  input.value = s.line;
  const msg = el("div", { class: "msg", role: "status" });
  const save = el("button", { type: "button", class: "save", text: "Save", disabled: true });
  const play = el("button", { type: "button", class: "play", text: "▶ Play", title: "Listen to this sentence" });
  input.addEventListener("input", () => {
    input.classList.toggle("changed", input.value !== input.dataset.old);
    save.disabled = input.value === input.dataset.old;
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); if (!save.disabled) save.click(); }
  });
  play.addEventListener("click", () => listen(input.value, document.getElementById("voice").value, msg, input));
  save.addEventListener("click", async () => {
    msg.className = "msg dim";
    msg.textContent = "Saving…";
    try {
      const view = await api("POST", `/api/episodes/${encodeURIComponent(state.slug)}/sentences/${p.index}/${s.index}`,
        { line: input.value, old: input.dataset.old });
      draw(view);
      const again = document.querySelector(`#part-${p.index} .sentence:nth-child(${s.index + 1}) .msg`);
      if (again) { again.className = "msg ok"; again.textContent = "Saved to script.md. Build to hear it in the episode."; }
    } catch (e) {
      msg.className = "msg error";
      msg.setAttribute("role", "alert");
      msg.textContent = e.message;
    }
  });
  const says = s.spoken !== s.display ? el("div", { class: "says", text: `Says: ${s.spoken}` }) : null;
  return el("div", { class: "sentence", dataset: { index: s.index } }, input, el("div", { class: "buttons" }, play, save), says, msg);
}

const speaker = new Audio();

async function listen(line, voice, msg, input) {
  msg.className = "msg dim";
  msg.textContent = "Voicing…";
  try {
    const response = await api("POST", `/api/episodes/${encodeURIComponent(state.slug)}/say`, { line, voice });
    const fresh = response.headers.get("X-Synthesized") === "1";
    const blob = await response.blob();
    if (speaker.src) URL.revokeObjectURL(speaker.src);
    speaker.src = URL.createObjectURL(blob);
    if (input) input.dataset.said = fresh ? "synthesized" : "cached";
    msg.className = "msg ok";
    msg.textContent = `${response.headers.get("X-Voice")}, ${Number(response.headers.get("X-Seconds")).toFixed(1)} s `
      + (fresh ? "(voiced now)" : "(from the cache)");
    await speaker.play().catch(() => {});
  } catch (e) {
    msg.className = "msg error";
    msg.textContent = e.message;
  }
}

function showJob(job) {
  const box = document.getElementById("progress");
  const msg = document.getElementById("job-msg");
  if (!box || !job) return;
  const wasActive = state.activeJob && state.activeJob.id === job.id && state.activeJob.active;
  state.activeJob = job;
  if (job.active) {
    const pipeline = job.progress.find((s) => s.name === "stage");
    const at = pipeline ? pipeline.done : -1;
    const steps = el("ol", { class: "steps", id: "steps" }, STAGES.map((name, i) =>
      el("li", { class: i < at ? "done" : i === at ? "now" : "", text: name })));
    const bars = job.progress.filter((s) => s.name !== "stage" && s.total).map((s) =>
      el("div", {}, el("small", { text: `${s.name} ${s.done}/${s.total} ${s.note || ""}` }),
        el("progress", { value: s.done, max: s.total })));
    box.replaceChildren(el("div", { class: "dim", text: job.state === "queued" ? "Queued behind another build…" : `Building: ${job.stage || "starting"}` }), steps, ...bars);
    msg.className = "dim";
    msg.textContent = `Build ${job.state} (job ${job.id}).`;
  } else if (wasActive || (job.finished_at && Date.now() / 1000 - job.finished_at < 5)) {
    box.replaceChildren();
    msg.className = job.state === "done" ? "ok" : "error";
    msg.textContent = job.message;
    if (job.state === "done" && wasActive) refresh(true).then(() => { msg.className = "ok"; msg.textContent = job.message; });
  }
}

// ----------------------------------------------------------------------------- routes

async function route() {
  const match = location.pathname.match(/^\/episode\/([^/]+)$/);
  try {
    if (match) await episode(decodeURIComponent(match[1]));
    else await library();
  } catch (e) {
    main.replaceChildren(el("p", { class: "error", role: "alert", text: e.message }),
      el("p", {}, el("a", { href: withToken("/"), text: "← All episodes" })));
  }
}

if (!token) say("Read-only: open the address 'articast studio' printed (it ends in ?token=…) to edit and build.");
route();
