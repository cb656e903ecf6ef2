// 醴陵户籍政策助手 — the citizen's chat widget. All text is set with textContent, never as HTML.
(function () {
  "use strict";
  var STORE = "hukou-chat-v1";
  var MAX_CHARS = 1000;  // the gateway's limit (HUKOU_MAX_MESSAGE_CHARS)
  var log = document.getElementById("log");
  var replies = document.getElementById("replies");
  var typing = document.getElementById("typing");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var send = document.getElementById("send");
  var state = load();

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && saved.sender) return saved;
    } catch (e) { /* a broken store starts afresh */ }
    return { sender: "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36), items: [], large: false };
  }
  function save() { try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ } }

  var el = window.Hukou.el;
  var draw = window.Hukou.render;
  var status = document.getElementById("status");

  function quickReplies(buttons) {
    replies.textContent = "";
    (buttons || []).forEach(function (b) {
      var btn = el("button", null, b.title);
      btn.type = "button";
      btn.addEventListener("click", function () { ask(b.payload, b.resend ? "" : b.title); });
      replies.appendChild(btn);
    });
  }

  // The bubbles and the clause card are drawn by render.js, as in the FAQ desk's preview.
  function render(item) {
    if (item.kind === "me") log.appendChild(draw.bubble("me", item.text));
    else if (item.kind === "error") log.appendChild(draw.bubble("bot", item.text, true));
    else {
      if (item.text) log.appendChild(draw.answer(item.text, item.cardFollows));
      var box = draw.card(item.custom);
      if (box) log.appendChild(box);
    }
  }

  function push(item) { state.items.push(item); if (state.items.length > 200) state.items.shift(); save(); render(item); log.scrollTop = log.scrollHeight; }

  // A failed turn keeps the citizen's message: "重新发送" sends it again, and it is not shown twice.
  function failed(text, detail) {
    push({ kind: "error", text: detail });
    var retry = [{ title: "重新发送", payload: text, resend: true }];
    quickReplies(retry); state.buttons = retry; save();
  }

  function ask(message, shown) {
    var text = (message || "").trim();
    if (!text) { input.focus(); return; }
    if (shown !== "") push({ kind: "me", text: shown || text });
    quickReplies([]); state.buttons = []; save();
    typing.hidden = false; send.disabled = true; status.textContent = "助手正在输入…";
    fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: text }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          if (res.status === 422) {
            // The message is refused as it stands (too long, say): give it back to edit.
            push({ kind: "error", text: res.body.detail || "消息格式不正确。" });
            if (!input.value) input.value = text;
          }
          else failed(text, res.body.detail || "出错了，您的消息没有丢，请点“重新发送”。");
          return;
        }
        var buttons = [];
        res.body.messages.forEach(function (m, i) {
          var next = res.body.messages[i + 1];
          var cardFollows = draw.hasCard(next && next.custom);
          push({ kind: "bot", text: m.text, custom: m.custom, cardFollows: cardFollows });
          if (m.buttons && m.buttons.length) buttons = m.buttons;
        });
        quickReplies(buttons); state.buttons = buttons; save();
      })
      .catch(function () { failed(text, "网络连接失败，您的消息没有丢，请点“重新发送”。也可以到派出所户籍窗口咨询。"); })
      .then(function () { typing.hidden = true; send.disabled = false; status.textContent = ""; input.focus(); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.placeholder = "请先输入您的问题"; input.focus(); return; }
    // Too long: say so and leave every character in the input to shorten (no silent cut).
    if (text.length > MAX_CHARS) {
      push({ kind: "error", text: "消息太长了（" + text.length + " 字），请控制在 " + MAX_CHARS + " 字以内，您输入的内容还在输入框里。" });
      input.focus(); return;
    }
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById("restart").addEventListener("click", function () {
    fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: "/restart" }) }).catch(function () {});
    state = { sender: state.sender, items: [], large: state.large }; save();
    log.textContent = ""; quickReplies([]); greet(); input.focus();
  });
  var fontBtn = document.getElementById("font");
  function applyFont() { document.body.classList.toggle("large", !!state.large); fontBtn.setAttribute("aria-pressed", state.large ? "true" : "false"); }
  fontBtn.addEventListener("click", function () { state.large = !state.large; save(); applyFont(); });

  function greet() { if (!state.items.length) ask("/greet", ""); }
  // A link such as /?q=我在城里租房想落户 starts the conversation with that question.
  function deepLink() {
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { history.replaceState(null, "", window.location.pathname); setTimeout(function () { ask(q); }, 600); }
  }
  applyFont();
  state.items.forEach(render);
  quickReplies(state.buttons || []);
  log.scrollTop = log.scrollHeight;
  greet();
  deepLink();
})();
