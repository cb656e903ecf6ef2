// 醴陵户籍政策助手 — the citizen's chat widget. All text is set with textContent, never as HTML.
(function () {
  "use strict";
  var STORE = "hukou-chat-v1";
  var MAX_CHARS = 1000;  // the gateway's limit (HUKOU_MAX_MESSAGE_CHARS)
  var SHOWN_REPLIES = 4;  // quick replies shown at once; the rest wait behind "更多"
  var STAMP_GAP = 5 * 60 * 1000;  // a time label between turns this far apart, as WeChat does
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

  function replyButton(b) {
    var btn = el("button", null, b.title);
    btn.type = "button";
    btn.addEventListener("click", function () { ask(b.payload, b.resend ? "" : b.title); });
    return btn;
  }

  // At most four at once: eight buttons filled half a 360 px screen. "更多" shows the rest.
  function quickReplies(buttons) {
    replies.textContent = "";
    buttons = buttons || [];
    buttons.slice(0, SHOWN_REPLIES).forEach(function (b) { replies.appendChild(replyButton(b)); });
    var rest = buttons.slice(SHOWN_REPLIES);
    if (!rest.length) return;
    var more = el("button", "more", "更多（" + rest.length + "）");
    more.type = "button";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", function () {
      more.remove();
      var first = null;
      rest.forEach(function (b) { var btn = replyButton(b); replies.appendChild(btn); first = first || btn; });
      if (first) first.focus();
    });
    replies.appendChild(more);
  }

  // The buttons a turn offers: those of its last message that has any, then the server's
  // custom.more_buttons (the less likely choices it sends apart).
  function turnButtons(messages) {
    var buttons = [];
    messages.forEach(function (m) {
      var extra = (m.custom && m.custom.more_buttons) || [];
      if ((m.buttons && m.buttons.length) || extra.length) buttons = (m.buttons || []).concat(extra);
    });
    return buttons;
  }

  // The last bubble of a turn is the one to answer: a question the server sent before its
  // card moves after it, so 是 / 否 / 不清楚 are never shown without their question.
  function isQuestion(m) { return !!(m.text && /[？?]\s*$/.test(m.text) && m.buttons && m.buttons.length); }
  function questionLast(messages) {
    var at = -1;
    messages.forEach(function (m, i) { if (isQuestion(m)) at = i; });
    if (at < 0 || at === messages.length - 1) return messages;
    var ordered = messages.slice();
    ordered.push(ordered.splice(at, 1)[0]);
    return ordered;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function stampText(at) {
    var d = new Date(at), now = new Date();
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    return d.toDateString() === now.toDateString() ? time : (d.getMonth() + 1) + "月" + d.getDate() + "日 " + time;
  }
  var lastAt = 0;
  function stamp(item) {
    if (!item.at) return;
    if (item.at - lastAt >= STAMP_GAP) {
      var node = el("div", "stamp", stampText(item.at));
      node.setAttribute("aria-hidden", "true");
      log.appendChild(node);
    }
    lastAt = item.at;
  }

  // The bubbles and the clause card are drawn by render.js, as in the FAQ desk's preview.
  // Returns the first node drawn, so a new turn can be scrolled to.
  function render(item) {
    var before = log.children.length;
    if (item.kind !== "feedback") stamp(item);
    if (item.kind === "me") log.appendChild(draw.bubble("me", item.text));
    else if (item.kind === "error") log.appendChild(draw.bubble("bot", item.text, true));
    else if (item.kind === "feedback") log.appendChild(feedbackBar(item));
    else {
      if (item.text) log.appendChild(draw.answer(item.text, item.cardFollows));
      var box = draw.card(item.custom);
      if (box) log.appendChild(box);
    }
    return log.children[before] || null;
  }

  function show(item) { remember(item); return render(item); }
  function remember(item) { state.items.push(item); if (state.items.length > 200) state.items.shift(); save(); }
  function push(item) { remember(item); render(item); log.scrollTop = log.scrollHeight; }

  // A new turn is read from its top: the view scrolls to its first bubble, not to its end.
  function scrollToTurn(node) {
    if (!node) return;
    log.scrollTop += node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
  }

  // -- 有用 / 没用 ------------------------------------------------------------------------
  var REASONS = ["答非所问", "看不懂", "其他"];

  function feedbackBar(item) {
    var bar = el("div", "feedback");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "这个答复有用吗");
    var fb = item.fb || {};
    var head = el("div", "fb-head");
    head.appendChild(el("span", "fb-q", "这个答复有用吗？"));
    var yes = el("button", "fb-yes", "有用"), no = el("button", "fb-no", "没用");
    [yes, no].forEach(function (b) { b.type = "button"; head.appendChild(b); });
    bar.appendChild(head);
    var more = el("div", "fb-more"); more.hidden = true; bar.appendChild(more);
    var note = el("div", "fb-note"); note.setAttribute("role", "status"); bar.appendChild(note);

    function pressed() {
      yes.setAttribute("aria-pressed", fb.useful === true ? "true" : "false");
      no.setAttribute("aria-pressed", fb.useful === false ? "true" : "false");
    }
    function saved() {
      more.hidden = true;
      note.textContent = fb.useful ? "谢谢，您的反馈已保存。" : "谢谢，已记下，工作人员会复核这条答复。";
      note.className = "fb-note"; note.setAttribute("role", "status");
    }
    // Not saved (the database or the network is down): say so, keep the choice, offer to retry.
    function notSaved() {
      note.textContent = "";
      note.className = "fb-note fb-failed";
      note.appendChild(el("span", null, "反馈没有保存成功，您的选择还在，请稍后再试。"));
      var again = el("button", "fb-retry", "再试一次"); again.type = "button";
      again.addEventListener("click", submit);
      note.appendChild(again);
      note.setAttribute("role", "alert");
    }
    // The choice stays on the page (and in the stored conversation) until the server has it.
    function submit() {
      note.textContent = "正在保存…"; note.className = "fb-note"; note.setAttribute("role", "status");
      item.fb = fb; fb.saved = false; save();
      fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ turn: item.turn, useful: fb.useful, reason: fb.reason || "", comment: fb.comment || "" }) })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) throw new Error(res.body.detail || "");
          fb.saved = true; save(); saved();
        })
        .catch(notSaved);
    }
    function reasonForm() {
      more.textContent = ""; more.hidden = false;
      var set = el("fieldset", "fb-reasons");
      set.appendChild(el("legend", null, "哪里不好？（可不选）"));
      REASONS.forEach(function (r, i) {
        var id = "fb-" + item.turn + "-" + i;
        var label = el("label", "fb-reason"); label.setAttribute("for", id);
        var radio = el("input"); radio.type = "radio"; radio.name = "fb-" + item.turn; radio.id = id; radio.value = r;
        radio.checked = fb.reason === r;
        radio.addEventListener("change", function () { fb.reason = r; save(); });
        label.appendChild(radio); label.appendChild(document.createTextNode(r));
        set.appendChild(label);
      });
      more.appendChild(set);
      var cid = "fb-c-" + item.turn;
      var clabel = el("label", "fb-clabel", "补充说明（可不填，请不要写姓名、电话、身份证号）");
      clabel.setAttribute("for", cid);
      var comment = el("textarea", "fb-comment"); comment.id = cid; comment.maxLength = 500; comment.rows = 2;
      comment.value = fb.comment || "";
      comment.addEventListener("input", function () { fb.comment = comment.value; save(); });
      more.appendChild(clabel); more.appendChild(comment);
      var go = el("button", "fb-send", "提交"); go.type = "button";
      go.addEventListener("click", submit);
      more.appendChild(go);
    }
    yes.addEventListener("click", function () { fb = { useful: true }; pressed(); more.hidden = true; submit(); });
    no.addEventListener("click", function () {
      fb = { useful: false, reason: fb.useful === false ? fb.reason : "", comment: fb.useful === false ? fb.comment : "" };
      item.fb = fb; save(); pressed(); note.textContent = ""; reasonForm();
      more.querySelector("input").focus();
    });
    pressed();
    if (fb.saved) saved();
    else if (fb.useful === false) reasonForm();
    // A choice sent but not saved before the page was closed is offered again.
    if (fb.saved === false) notSaved();
    return bar;
  }

  // A failed turn keeps the citizen's message: "重新发送" sends it again, and it is not shown twice.
  function failed(text, detail) {
    push({ kind: "error", text: detail, at: Date.now() });
    var retry = [{ title: "重新发送", payload: text, resend: true }];
    quickReplies(retry); state.buttons = retry; save();
  }

  function ask(message, shown) {
    var text = (message || "").trim();
    if (!text) { input.focus(); return; }
    if (shown !== "") push({ kind: "me", text: shown || text, at: Date.now() });
    quickReplies([]); state.buttons = []; save();
    typing.hidden = false; send.disabled = true; status.textContent = "助手正在输入…";
    fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: text }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          if (res.status === 422) {
            // The message is refused as it stands (too long, say): give it back to edit.
            push({ kind: "error", text: res.body.detail || "消息格式不正确。", at: Date.now() });
            if (!input.value) input.value = text;
          }
          else failed(text, res.body.detail || "出错了，您的消息没有丢，请点“重新发送”。");
          return;
        }
        var messages = questionLast(res.body.messages || []);
        var first = null, now = Date.now();
        // Every answer can be rated (the greeting and a restart excepted): the 有用 / 没用 bar
        // follows the answer, before a closing question, which stays the last bubble.
        var asks = messages.length && isQuestion(messages[messages.length - 1]);
        var answerEnd = asks ? messages.length - 1 : messages.length;
        var rated = res.body.turn && answerEnd > 0 && text.charAt(0) !== "/";
        messages.forEach(function (m, i) {
          if (rated && i === answerEnd) show({ kind: "feedback", turn: res.body.turn });
          var next = messages[i + 1];
          var node = show({ kind: "bot", text: m.text, custom: m.custom, cardFollows: draw.hasCard(next && next.custom), at: now });
          first = first || node;
        });
        if (rated && answerEnd === messages.length) show({ kind: "feedback", turn: res.body.turn });
        scrollToTurn(first);
        var buttons = turnButtons(messages);
        quickReplies(buttons); state.buttons = buttons; save();
      })
      .catch(function () { failed(text, "网络连接失败，您的消息没有丢，请点“重新发送”。也可以到派出所户籍窗口咨询。"); })
      .then(function () { typing.hidden = true; send.disabled = false; status.textContent = ""; input.focus(); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.placeholder = "请先输入问题"; input.focus(); return; }
    // Too long: say so and leave every character in the input to shorten (no silent cut).
    if (text.length > MAX_CHARS) {
      push({ kind: "error", text: "消息太长了（" + text.length + " 字），请控制在 " + MAX_CHARS + " 字以内，您输入的内容还在输入框里。", at: Date.now() });
      input.focus(); return;
    }
    input.value = "";
    ask(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });

  // 重新开始 wipes the conversation: a small confirmation on the page asks first.
  var confirmBar = document.getElementById("restart-confirm");
  var restartBtn = document.getElementById("restart");
  function closeConfirm() { confirmBar.hidden = true; restartBtn.setAttribute("aria-expanded", "false"); }
  restartBtn.addEventListener("click", function () {
    confirmBar.hidden = false; restartBtn.setAttribute("aria-expanded", "true");
    document.getElementById("restart-no").focus();
  });
  document.getElementById("restart-no").addEventListener("click", function () { closeConfirm(); restartBtn.focus(); });
  document.getElementById("restart-yes").addEventListener("click", function () {
    closeConfirm();
    fetch("/api/chat", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: "/restart" }) }).catch(function () {});
    state = { sender: state.sender, items: [], large: state.large }; save();
    log.textContent = ""; lastAt = 0; quickReplies([]); greet(); input.focus();
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
