"use strict";
// The sandbox's web chat: shows one chat as a Telegram user sees it and sends what they type or press.
const state = { who: null, people: [], shown: "", labels: {} };
const $ = (id) => document.getElementById(id);
// the page's own words come from the bot's catalogue (/api/labels), in the language chosen at the top
const say = (key, params = {}) => (state.labels[key] || key).replace(/\{(\w+)\}/g, (_, k) => params[k] ?? "");
// a label with a count: the form the language's plural rules pick ("1 message", "2 messages"; Chinese has one)
const plural = (count) => new Intl.PluralRules(state.labels.locale === "en" ? "en" : "zh-CN").select(count);
const sayCount = (key, count) => say(`${key}_${plural(count) === "one" ? "one" : "other"}`, { count });

async function api(path, options = {}) {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

// Whatever acts carries the page's own token (sandbox/guard.py): other pages cannot read it, so cannot act.
const TOKEN = document.querySelector('meta[name="sandbox-token"]').content;

function act(path, body) {
  const form = body instanceof FormData;
  const headers = { "X-Sandbox-Token": TOKEN };
  if (!form) headers["Content-Type"] = "application/json";
  return api(path, { method: "POST", headers, body: form ? body : JSON.stringify(body) });
}

function toast(text, alert) {
  if (!text) return;
  if (alert) { window.alert(text); return; }
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

function renderPeople() {
  const nav = $("people");
  nav.replaceChildren();
  for (const person of state.people) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.who = person.key;
    button.textContent = person.name;
    const role = document.createElement("small");
    const actor = state.people.find((p) => p.key === "reviewer");
    const second = /\d$/.test(person.key) ? " 2" : "";
    role.textContent = person.group
      ? say("group_role", { name: actor ? actor.name : "" })
      : say("role_" + person.key.replace(/\d$/, "")) + second;
    button.append(role);
    button.classList.toggle("active", person.key === state.who);
    button.addEventListener("click", () => choose(person.key));
    nav.append(button);
  }
}

function showPeople(open) {
  document.body.classList.toggle("people-open", open);
  $("people-toggle").setAttribute("aria-expanded", String(open));
}

function choose(who) {
  showPeople(false); // on a phone the list covers the chat: choosing someone closes it
  state.who = who;
  state.shown = "";
  $("messages").replaceChildren();
  $("toast").hidden = true; // a note about the last person's action does not belong on this one's chat
  delete $("messages").dataset.who; // set again once this person's chat is shown
  const person = state.people.find((p) => p.key === who);
  $("chat-title").textContent = person.group ? person.name : say("chat_with", { name: person.name });
  renderPeople();
  refresh();
}

function messageNode(m) {
  const node = document.createElement("div");
  node.className = "msg" + (m.mine ? " mine" : "");
  node.dataset.id = m.id;
  if (!m.mine) {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.textContent = m.bot ? "Green Channel" : m.sender;
    node.append(sender);
  }
  if (m.photo) {
    const img = document.createElement("img");
    img.src = m.photo;
    img.alt = "chart";
    node.append(img);
  }
  if (m.document) {
    const doc = document.createElement("a");
    doc.className = "doc";
    doc.href = m.document.url;
    doc.textContent = "📄 " + m.document.name;
    node.append(doc);
  }
  const body = document.createElement("div");
  body.className = "body";
  body.innerHTML = m.html; // server-side: bot HTML re-emitted from Telegram's tag subset, user text escaped
  node.append(body);
  if (m.edited) {
    const edited = document.createElement("span");
    edited.className = "edited";
    edited.textContent = say("edited");
    body.append(edited);
  }
  if (m.buttons.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    for (const row of m.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.text;
        button.addEventListener("click", () => press(m.id, b.data));
        line.append(button);
      }
      keyboard.append(line);
    }
    node.append(keyboard);
  }
  return node;
}

async function refresh() {
  if (!state.who) return;
  const who = state.who;
  const data = await api(`/api/chat?who=${encodeURIComponent(who)}`);
  const text = JSON.stringify(data.messages);
  if (who !== state.who || text === state.shown) return;
  state.shown = text;
  const box = $("messages");
  const atBottom = !box.dataset.who || box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  box.replaceChildren(...data.messages.map(messageNode));
  if (!data.messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = say("empty");
    box.append(empty);
  }
  box.dataset.who = who;
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function press(messageId, data) {
  const answer = await act("/api/press", { who: state.who, message_id: messageId, data });
  toast(answer.text, answer.alert);
  refresh();
}

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await act("/api/send", { who: state.who, text });
  refresh();
  $("messages").scrollTop = $("messages").scrollHeight;
});

$("file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const form = new FormData();
  form.append("who", state.who);
  form.append("file", file, file.name);
  event.target.value = "";
  await act("/api/upload", form);
  refresh();
});

$("summary").addEventListener("click", async () => {
  const result = await act("/api/summary", {});
  toast(sayCount("queued", result.queued));
});

async function useLanguage(locale) {
  state.labels = await api(`/api/labels?locale=${encodeURIComponent(locale)}`);
  localStorage.setItem("sandbox-locale", state.labels.locale);
  const english = state.labels.locale === "en";
  document.documentElement.lang = english ? "en" : "zh-CN";
  document.title = say("title");
  for (const node of document.querySelectorAll("[data-label]")) node.textContent = say(node.dataset.label);
  for (const attr of ["title", "placeholder", "aria-label"]) {
    for (const node of document.querySelectorAll(`[data-label-${attr}]`)) {
      node.setAttribute(attr, say(node.getAttribute(`data-label-${attr}`)));
    }
  }
  const other = $("language"); // offers the other language, named in that language
  other.textContent = english ? "中文" : "English";
  other.lang = english ? "zh-CN" : "en";
  other.dataset.locale = english ? "zh_CN" : "en";
  if (state.who) choose(state.who); // redraw the names, roles and chat title in the new language
}

$("language").addEventListener("click", () => useLanguage($("language").dataset.locale));
$("people-toggle").addEventListener("click", () => showPeople(!document.body.classList.contains("people-open")));

(async () => {
  await useLanguage(localStorage.getItem("sandbox-locale") || "zh_CN");
  state.people = await api("/api/people");
  choose(state.people[0].key);
  setInterval(refresh, 700);
})();
