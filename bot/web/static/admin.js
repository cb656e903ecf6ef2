// The FAQ desk (/admin): sign in, write entries with a live preview, review, publish.
// Every text from the server or typed by staff is set with textContent (window.Hukou.el),
// never parsed as HTML. Unsaved text is never thrown away by the page: a conflict, an expired
// session or a failed request leaves the editor as it was.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var draw = window.Hukou.render;  // render.js: the chat widget's bubbles and clause card
  function $(id) { return document.getElementById(id); }

  var ACTIONS = { submit: "提交审核", approve: "审核通过", reject: "退回修改", publish: "发布", archive: "归档" };
  var REASONS = { fallback: "助手没听懂", out_of_scope: "超出政策范围" };
  var CSRF_EXPIRED = "页面已过期，请刷新后重试";
  var ANSWER_MAX = 2000;
  var EMPTY = { question: "", paraphrases: [], answer: "", clause_ids: [], tags: [] };

  var state = {
    user: null, csrf: "", statuses: {}, roles: {}, lastUser: null,
    clauses: [], clauseById: {},
    current: null,   // the open entry: {entry, versions, audit, actions}
    loaded: EMPTY,   // the content the form was filled with (to tell unsaved changes)
    base: null,      // the revision that content is based on (sent with every change)
    chosen: []       // the cited clause ids, in the order they were chosen
  };
  var tab = "entries";

  // -- messages -------------------------------------------------------------------------

  function showError(message, buttons) {
    var box = $("alert");
    box.textContent = "";
    if (!message) return;
    box.appendChild(el("div", null, message));
    (buttons || []).forEach(function (b) {
      var btn = el("button", null, b.label);
      btn.type = "button";
      btn.addEventListener("click", b.onClick);
      box.appendChild(btn);
    });
  }
  function clearError() { $("alert").textContent = ""; }
  function failed(err) { showError((err && err.message) || String(err)); }
  var sayTimer = null;
  function say(message) {
    $("status").textContent = message;
    clearTimeout(sayTimer);
    sayTimer = setTimeout(function () { $("status").textContent = ""; }, 8000);
  }
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  // -- the API --------------------------------------------------------------------------

  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
    this.message = this.body.detail || "请求失败（" + status + "），请稍后再试。";
  }

  function api(method, path, body, retried) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) return data;
        if (r.status === 403 && data.detail === CSRF_EXPIRED && !retried) {
          // Signed in again in another tab: take this browser's current token and retry once.
          return fetch("/api/faq/me", { credentials: "same-origin" })
            .then(function (m) { return m.ok ? m.json() : null; })
            .then(function (me) {
              if (!me) { signedOut("登录已过期，请重新登录。您填写的内容仍在页面上。"); throw new ApiError(401, { detail: "登录已过期，请重新登录" }); }
              state.csrf = me.csrf;
              return api(method, path, body, true);
            });
        }
        if (r.status === 401 && path !== "/api/faq/login") {
          signedOut((data.detail || "登录已过期") + "。重新登录后，编辑区里未保存的内容仍在。");
        }
        throw new ApiError(r.status, data);
      });
    }, function () {
      throw new ApiError(0, { detail: "无法连接服务器，请检查网络后重试。您填写的内容仍在页面上。" });
    });
  }

  // -- signing in and out ---------------------------------------------------------------

  function signedIn(data) {
    state.user = data.user; state.csrf = data.csrf;
    state.statuses = data.statuses; state.roles = data.roles;
    $("who-name").textContent = data.user.role_name + "：" + data.user.username;
    $("who").hidden = false; $("login").hidden = true; $("desk").hidden = false;
    $("tab-users").hidden = data.user.role !== "admin";
    if (data.user.role !== "admin" && tab === "users") selectTab("entries");
    fillStatusFilter(); fillRoles();
    var sameUser = state.lastUser === data.user.username;
    state.lastUser = data.user.username;
    loadClauses().then(function () {
      refreshList();
      if (!sameUser) newEntry(true);  // another user: start afresh
      else if (state.current) reloadCurrent(false);
      if (tab === "unanswered") loadGroups();
      if (tab === "users") loadUsers();
    });
  }

  function signedOut(message) {
    state.user = null; state.csrf = "";
    $("who").hidden = true; $("desk").hidden = true; $("login").hidden = false;
    $("password").value = "";
    if (message) showError(message);
    $("username").focus();
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    var button = $("login-button");
    button.disabled = true;
    api("POST", "/api/faq/login", { username: $("username").value, password: $("password").value })
      .then(function (data) { $("password").value = ""; signedIn(data); say("已登录：" + data.user.username); })
      .catch(function (err) { failed(err); $("password").select(); })
      .then(function () { button.disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    if (isDirty()) { showError("编辑区有未保存的修改：请先保存，或点“放弃修改”后再退出。"); return; }
    api("POST", "/api/faq/logout").then(function () {
      state.current = null; state.lastUser = null;
      signedOut("");
      say("已退出");
    }).catch(failed);
  });

  // -- tabs ---------------------------------------------------------------------------

  function selectTab(name) {
    tab = name;
    ["entries", "unanswered", "users"].forEach(function (t) {
      $("tab-" + t).setAttribute("aria-selected", t === name ? "true" : "false");
      $("pane-" + t).hidden = t !== name;
    });
    if (name === "unanswered") loadGroups();
    if (name === "users") loadUsers();
  }
  ["entries", "unanswered", "users"].forEach(function (t) {
    $("tab-" + t).addEventListener("click", function () { selectTab(t); });
  });

  // -- the list -----------------------------------------------------------------------

  function fillStatusFilter() {
    var select = $("f-status");
    if (select.options.length > 1) return;
    Object.keys(state.statuses).forEach(function (k) { select.appendChild(new Option(state.statuses[k], k)); });
  }

  var listSeq = 0, listTimer = null;
  function refreshList() {
    var mine = ++listSeq;
    var query = "?status=" + encodeURIComponent($("f-status").value) +
      "&tag=" + encodeURIComponent($("f-tag").value) + "&q=" + encodeURIComponent($("f-q").value.trim());
    return api("GET", "/api/faq/entries" + query)
      .then(function (data) { if (mine === listSeq) renderList(data); })
      .catch(failed);
  }

  function renderList(data) {
    var tagSelect = $("f-tag"), chosenTag = tagSelect.value;
    tagSelect.length = 1;
    var tags = data.tags.slice();
    if (chosenTag && tags.indexOf(chosenTag) < 0) tags.push(chosenTag);
    tags.forEach(function (t) { tagSelect.appendChild(new Option(t, t)); });
    tagSelect.value = chosenTag;
    var list = $("entries");
    list.textContent = "";
    if (!data.entries.length) {
      var filtered = $("f-status").value || $("f-tag").value || $("f-q").value.trim();
      list.appendChild(el("li", "muted", filtered ? "没有符合条件的条目。" : "还没有条目：点“新建条目”开始撰写。"));
      return;
    }
    data.entries.forEach(function (e) {
      var item = el("li");
      var button = el("button");
      button.type = "button";
      button.dataset.id = String(e.id);
      button.appendChild(el("span", "q", e.question));
      var meta = el("span", "meta");
      meta.appendChild(el("span", "badge " + e.status, e.status_name));
      e.tags.forEach(function (t) { meta.appendChild(el("span", "tag", t)); });
      meta.appendChild(document.createTextNode("第 " + e.version + " 版 · " + e.author + " · " + when(e.updated_at)));
      if (e.published_version && e.status !== "published") meta.appendChild(document.createTextNode(" · 线上为第 " + e.published_version + " 版"));
      button.appendChild(meta);
      button.addEventListener("click", function () { openEntry(e.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
    markCurrent();
  }

  function markCurrent() {
    var id = state.current ? String(state.current.entry.id) : "";
    Array.prototype.forEach.call($("entries").querySelectorAll("button"), function (b) {
      if (b.dataset.id === id) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  $("f-status").addEventListener("change", refreshList);
  $("f-tag").addEventListener("change", refreshList);
  $("f-q").addEventListener("input", function () { clearTimeout(listTimer); listTimer = setTimeout(refreshList, 250); });

  // -- clauses ------------------------------------------------------------------------

  function loadClauses() {
    if (state.clauses.length) return Promise.resolve();
    return fetch("/api/clauses").then(function (r) { return r.json(); }).then(function (data) {
      state.clauses = data.clauses;
      data.clauses.forEach(function (c) { state.clauseById[c.id] = c; });
      renderClauseList();
      renderChosen();
    }).catch(function () { showError("条款列表加载失败，请刷新页面。"); });
  }

  function renderClauseList() {
    var box = $("clause-list"), filter = $("clause-filter").value.trim().toLowerCase();
    box.textContent = "";
    state.clauses.forEach(function (c) {
      var haystack = (c.id + " " + c.label + " " + c.title + " " + c.quote).toLowerCase();
      if (filter && haystack.indexOf(filter) < 0) return;
      var label = el("label");
      var box2 = el("input");
      box2.type = "checkbox";
      box2.value = c.id;
      box2.checked = state.chosen.indexOf(c.id) >= 0;
      box2.addEventListener("change", function () { toggleClause(c.id, box2.checked); });
      label.appendChild(box2);
      label.appendChild(el("span", "label", c.label));
      label.appendChild(el("span", null, c.title));
      box.appendChild(label);
    });
    if (!box.childNodes.length) box.appendChild(el("div", "muted", "没有符合的条款"));
  }

  function toggleClause(id, on) {
    var i = state.chosen.indexOf(id);
    if (on && i < 0) state.chosen.push(id);
    if (!on && i >= 0) state.chosen.splice(i, 1);
    renderChosen();
    changed();
  }

  function renderChosen() {
    var box = $("chosen");
    box.textContent = "";
    if (!state.chosen.length) { box.appendChild(el("span", "none", "尚未引用条款")); return; }
    state.chosen.forEach(function (id) {
      var c = state.clauseById[id];
      var name = c ? c.label + " " + c.title : id;
      var chip = el("span", "chip", name);
      var remove = el("button", null, "×");
      remove.type = "button";
      remove.setAttribute("aria-label", "不再引用 " + name);
      remove.addEventListener("click", function () {
        toggleClause(id, false);
        renderClauseList();
      });
      chip.appendChild(remove);
      box.appendChild(chip);
    });
  }

  $("clause-filter").addEventListener("input", renderClauseList);

  // -- the editor ---------------------------------------------------------------------

  function lines(value) { return value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }
  function tagList(value) { return value.split(/[,，、;；\n]/).map(function (s) { return s.trim(); }).filter(Boolean); }

  function formData() {
    return {
      question: $("e-question").value,
      paraphrases: lines($("e-paraphrases").value),
      answer: $("e-answer").value,
      clause_ids: state.chosen.slice(),
      tags: tagList($("e-tags").value)
    };
  }
  function contentOf(e) {
    return { question: e.question, paraphrases: e.paraphrases.slice(), answer: e.answer, clause_ids: e.clause_ids.slice(), tags: e.tags.slice() };
  }
  function fingerprint(c) {
    return JSON.stringify([c.question.trim(), c.paraphrases, c.answer.trim(), c.clause_ids, c.tags]);
  }
  function isDirty() { return fingerprint(formData()) !== fingerprint(state.loaded); }

  function fill(content) {
    $("e-question").value = content.question;
    $("e-paraphrases").value = content.paraphrases.join("\n");
    $("e-answer").value = content.answer;
    $("e-tags").value = content.tags.join("，");
    state.chosen = content.clause_ids.slice();
    renderClauseList();
    renderChosen();
    changed();
  }

  function changed() {
    var count = $("e-answer").value.trim().length, counter = $("answer-count");
    counter.textContent = "答案 " + count + " / " + ANSWER_MAX + " 字" + (count > ANSWER_MAX ? "：太长了，保存不了" : "");
    counter.classList.toggle("over", count > ANSWER_MAX);
    $("discard").disabled = !isDirty();
    schedulePreview();
  }
  ["e-question", "e-paraphrases", "e-answer", "e-tags"].forEach(function (id) { $(id).addEventListener("input", changed); });

  function show(detail, fillForm) {
    state.current = detail;
    if (fillForm) {
      state.loaded = contentOf(detail.entry);
      state.base = detail.entry.revision;
      fill(state.loaded);
    }
    $("editor-title").textContent = "编辑条目 #" + detail.entry.id;
    renderMeta();
    renderActions();
    renderHistory();
    markCurrent();
    $("discard").disabled = !isDirty();
  }

  function renderMeta() {
    var e = state.current.entry, meta = $("entry-meta");
    meta.textContent = "";
    meta.appendChild(el("span", "badge " + e.status, e.status_name));
    meta.appendChild(document.createTextNode(
      "标识 " + e.key + " · 第 " + e.version + " 版 · 撰写：" + e.author +
      (e.reviewer ? " · 审核：" + e.reviewer : "") +
      (e.published_version ? " · 线上为第 " + e.published_version + " 版" : " · 尚未发布")));
    if (e.comment) meta.appendChild(el("div", "comment", "意见：" + e.comment));
  }

  function newEntry(force) {
    if (!force && isDirty()) { showError("当前条目有未保存的修改：请先保存，或点“放弃修改”。"); return; }
    state.current = null; state.base = null; state.loaded = EMPTY;
    fill(EMPTY);
    $("editor-title").textContent = "新建条目";
    $("entry-meta").textContent = "新条目保存后是草稿；提交审核、审核通过后，由审核员发布。";
    renderActions();
    $("history").hidden = true;
    markCurrent();
  }
  $("new-entry").addEventListener("click", function () { clearError(); newEntry(false); $("e-question").focus(); });

  function openEntry(id) {
    var same = state.current && state.current.entry.id === id;
    if (!same && isDirty()) { showError("当前条目有未保存的修改：请先保存，或点“放弃修改”后再打开其他条目。"); return; }
    clearError();
    api("GET", "/api/faq/entries/" + id).then(function (d) { show(d, !isDirty()); }).catch(failed);
  }

  function reloadCurrent(force) {
    if (!state.current) return Promise.resolve();
    return api("GET", "/api/faq/entries/" + state.current.entry.id)
      .then(function (d) { show(d, force || !isDirty()); })
      .catch(failed);
  }

  function save() {
    clearError();
    var data = formData(), current = state.current;
    var request = current
      ? api("PUT", "/api/faq/entries/" + current.entry.id, Object.assign({ base_revision: state.base }, data))
      : api("POST", "/api/faq/entries", data);
    $("save").disabled = true;
    return request.then(function (d) {
      var untouched = fingerprint(formData()) === fingerprint(data);
      state.loaded = contentOf(d.entry);
      state.base = d.entry.revision;
      show(d, untouched);  // text typed while saving stays in the form
      say("已保存：第 " + d.entry.version + " 版（" + d.entry.status_name + "）");
      refreshList();
      return true;
    }, function (err) {
      if (err.status === 409 && err.body.rejected) conflict(err);
      else failed(err);
      return false;
    }).then(function (ok) { $("save").disabled = false; return ok; });
  }

  // Someone else saved first: nothing of ours was saved, and the form keeps our text.
  function conflict(err) {
    var revision = err.body.revision;
    showError(err.message + " 您的内容仍在编辑区，没有丢失。", [
      { label: "用我的内容覆盖保存", onClick: function () { state.base = revision; save(); } },
      { label: "放弃我的修改，载入最新版本", onClick: function () { clearError(); reloadCurrent(true); } }
    ]);
    // Show what changed meanwhile (status, versions) without touching the form.
    api("GET", "/api/faq/entries/" + state.current.entry.id).then(function (d) { show(d, false); }).catch(function () {});
  }

  $("editor").addEventListener("submit", function (event) { event.preventDefault(); save(); });
  $("editor").addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
  });
  $("discard").addEventListener("click", function () {
    clearError();
    if (state.current) reloadCurrent(true); else fill(EMPTY);
  });
  window.addEventListener("beforeunload", function (event) {
    if (state.user && isDirty()) { event.preventDefault(); event.returnValue = ""; }
  });

  // -- the workflow -------------------------------------------------------------------

  function renderActions() {
    var box = $("actions");
    box.textContent = "";
    var actions = state.current ? state.current.actions.filter(function (a) { return ACTIONS[a]; }) : [];
    $("workflow").hidden = !actions.length;
    $("comment-box").hidden = actions.indexOf("approve") < 0 && actions.indexOf("reject") < 0;
    actions.forEach(function (action) {
      var style = { approve: "primary", publish: "primary", reject: "danger", archive: "danger" }[action] || null;
      var button = el("button", style, ACTIONS[action]);
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", function () { step(action, button); });
      box.appendChild(button);
    });
  }

  function step(action, button) {
    clearError();
    if (isDirty() && action !== "submit") {
      showError("编辑区有未保存的修改：请先保存，或点“放弃修改”，再" + ACTIONS[action] + "。");
      return;
    }
    button.disabled = true;
    var ready = isDirty() ? save() : Promise.resolve(true);  // submitting saves first
    ready.then(function (ok) {
      if (!ok) return;
      var body = { base_revision: state.base };
      if (action === "approve" || action === "reject") body.comment = $("comment").value;
      return api("POST", "/api/faq/entries/" + state.current.entry.id + "/" + action, body).then(function (d) {
        $("comment").value = "";
        show(d, true);
        say("已" + ACTIONS[action] + "：“" + d.entry.question + "”，现在是“" + d.entry.status_name + "”。");
        refreshList();
      });
    }).catch(function (err) {
      failed(err);
      if (err.status === 409) reloadCurrent(false);
    }).then(function () { button.disabled = false; });
  }

  // -- history ------------------------------------------------------------------------

  function renderHistory() {
    var d = state.current, list = $("versions");
    $("history").hidden = false;
    list.textContent = "";
    var canRestore = d.actions.indexOf("restore") >= 0;
    d.versions.slice().reverse().forEach(function (v) {
      var item = el("li");
      item.appendChild(el("strong", null, "第 " + v.number + " 版"));
      item.appendChild(document.createTextNode(" · " + v.action_name + " · " + v.status_name + " · " + v.editor + " · " + when(v.created_at)));
      if (v.number > 1) {
        var compare = el("button", null, "与上一版比较");
        compare.type = "button";
        compare.addEventListener("click", function () { showDiff(v.number - 1, v.number); });
        item.appendChild(compare);
      }
      if (canRestore && v.status === "published" && v.number !== d.entry.version) {
        var restore = el("button", null, "恢复此版本");
        restore.type = "button";
        restore.addEventListener("click", function () { restoreVersion(v.number, restore); });
        item.appendChild(restore);
      }
      if (v.comment) item.appendChild(el("span", "comment", "意见：" + v.comment));
      list.appendChild(item);
    });
    var a = $("diff-a"), b = $("diff-b"), last = d.versions.length;
    a.length = 0; b.length = 0;
    d.versions.forEach(function (v) {
      a.appendChild(new Option(String(v.number), String(v.number)));
      b.appendChild(new Option(String(v.number), String(v.number)));
    });
    a.value = String(Math.max(1, last - 1));
    b.value = String(last);
    $("diff").hidden = true;
    var audit = $("audit");
    audit.textContent = "";
    d.audit.forEach(function (row) {
      audit.appendChild(el("li", null, when(row.at) + " " + row.username + " " + row.action_name + (row.detail ? "：" + row.detail : "")));
    });
  }

  function showDiff(a, b) {
    api("GET", "/api/faq/entries/" + state.current.entry.id + "/diff?a=" + a + "&b=" + b).then(function (d) {
      var pre = $("diff");
      pre.textContent = "";
      pre.hidden = false;
      pre.appendChild(el("span", "head", "第 " + d.a + " 版 → 第 " + d.b + " 版"));
      if (!d.lines.length) pre.appendChild(el("span", null, "两版内容相同。"));
      d.lines.forEach(function (line) {
        var kind = /^(---|\+\+\+)/.test(line) ? "head" : line.indexOf("@@") === 0 ? "hunk" : line[0] === "+" ? "add" : line[0] === "-" ? "del" : null;
        pre.appendChild(el("span", kind, line));
      });
      $("diff-a").value = String(d.a);
      $("diff-b").value = String(d.b);
    }).catch(failed);
  }
  $("show-diff").addEventListener("click", function () { showDiff($("diff-a").value, $("diff-b").value); });

  function restoreVersion(number, button) {
    clearError();
    if (isDirty()) { showError("编辑区有未保存的修改：请先保存，或点“放弃修改”，再恢复版本。"); return; }
    button.disabled = true;
    api("POST", "/api/faq/entries/" + state.current.entry.id + "/restore", { version: number, base_revision: state.base })
      .then(function (d) { show(d, true); say("已恢复第 " + number + " 版并重新发布。"); refreshList(); })
      .catch(function (err) { failed(err); button.disabled = false; });
  }

  // -- the live preview: the assistant's own answer, drawn like the chat widget -------

  var previewTimer = null, previewSeq = 0;
  function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(runPreview, 300); }

  function runPreview() {
    if (!state.user) return;
    var mine = ++previewSeq, data = formData();
    api("POST", "/api/faq/preview", { question: data.question, answer: data.answer, clause_ids: data.clause_ids })
      .then(function (result) {
        if (mine !== previewSeq) return;
        $("preview-error").textContent = "";
        renderPreview(data.question.trim(), result);
      })
      .catch(function (err) {
        if (mine === previewSeq && err.status !== 401) $("preview-error").textContent = "预览未更新：" + err.message;
      });
  }

  // Drawn by render.js, the widget's own renderer, so the text is exactly as the chat shows it;
  // only the quotes are unfolded here, so they can be checked without a click.
  function renderPreview(question, result) {
    var box = $("preview"), payload = result.payload;
    box.textContent = "";
    if (question) box.appendChild(draw.bubble("me", question));
    box.appendChild(draw.answer(result.text, draw.hasCard(payload)));
    var card = draw.card(payload, { openQuotes: true });
    if (card) box.appendChild(card);
  }

  // -- unanswered questions -----------------------------------------------------------

  function loadGroups() {
    api("GET", "/api/faq/unanswered").then(function (d) {
      var list = $("groups");
      list.textContent = "";
      if (!d.groups.length) { list.appendChild(el("li", "muted", "目前没有未解答的问题。")); return; }
      d.groups.forEach(function (g) {
        var item = el("li");
        item.appendChild(el("div", "text", g.text));
        item.appendChild(el("div", "muted", "共 " + g.count + " 次 · 最近一次 " + when(g.last_seen) +
          (g.reasons.length ? " · " + g.reasons.map(function (r) { return REASONS[r] || r; }).join("、") : "")));
        if (g.examples.length > 1) {
          var examples = el("ul");
          g.examples.forEach(function (x) { examples.appendChild(el("li", null, x)); });
          item.appendChild(examples);
        }
        var button = el("button", null, "生成草稿");
        button.type = "button";
        button.addEventListener("click", function () { draftFrom(g.id, button); });
        item.appendChild(button);
        list.appendChild(item);
      });
    }).catch(failed);
  }

  function draftFrom(groupId, button) {
    clearError();
    if (isDirty()) { showError("“条目”页的编辑区有未保存的修改：请先保存或放弃修改，再生成草稿。"); return; }
    button.disabled = true;
    api("POST", "/api/faq/unanswered/" + groupId + "/draft").then(function (d) {
      selectTab("entries");
      show(d, true);
      refreshList();
      say("已生成草稿 #" + d.entry.id + "：请填写答案、引用条款后提交审核。");
      $("e-answer").focus();
    }).catch(function (err) { failed(err); button.disabled = false; });
  }

  // -- accounts (admins) --------------------------------------------------------------

  function fillRoles() {
    var select = $("u-role");
    if (select.options.length) return;
    Object.keys(state.roles).forEach(function (k) { select.appendChild(new Option(state.roles[k], k)); });
  }

  function loadUsers() {
    api("GET", "/api/faq/users").then(function (d) {
      var body = $("users");
      body.textContent = "";
      d.users.forEach(function (u) {
        var tr = el("tr");
        tr.appendChild(el("td", null, u.username));
        tr.appendChild(el("td", null, u.role_name));
        tr.appendChild(el("td", null, u.active ? "启用" : "已停用"));
        tr.appendChild(el("td", null, when(u.created_at)));
        tr.appendChild(userActions(u));
        body.appendChild(tr);
      });
    }).catch(failed);
  }

  // Role, 停用/启用 and 重设密码 for each account; the server refuses changes to one's own
  // admin role or account (the message is shown).
  function changeUser(u, change, done) {
    clearError();
    api("PATCH", "/api/faq/users/" + encodeURIComponent(u.username), change)
      .then(function (changed) { say(done + "：" + changed.username); loadUsers(); })
      .catch(failed);
  }

  function userActions(u) {
    var cell = el("td", "user-actions");
    var role = el("select");
    role.setAttribute("aria-label", u.username + " 的角色");
    Object.keys(state.roles).forEach(function (k) {
      var option = new Option(state.roles[k], k);
      option.selected = k === u.role;
      role.appendChild(option);
    });
    role.addEventListener("change", function () { changeUser(u, { role: role.value }, "已修改角色"); });
    cell.appendChild(role);
    var toggle = el("button", null, u.active ? "停用" : "启用");
    toggle.type = "button";
    toggle.addEventListener("click", function () {
      changeUser(u, { active: !u.active }, u.active ? "已停用" : "已启用");
    });
    cell.appendChild(toggle);
    var reset = el("button", null, "重设密码");
    reset.type = "button";
    reset.addEventListener("click", function () {
      // An inline password field (never shown as text); Enter or 确定 sets it.
      var form = el("form", "reset-form");
      var input = el("input");
      input.type = "password"; input.autocomplete = "new-password"; input.maxLength = 256;
      input.setAttribute("aria-label", "为 " + u.username + " 设置新密码（至少 10 个字符）");
      input.placeholder = "新密码（至少 10 个字符）";
      var ok = el("button", null, "确定");
      ok.type = "submit";
      form.appendChild(input); form.appendChild(ok);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        changeUser(u, { password: input.value }, "已重设密码");
      });
      cell.replaceChild(form, reset);
      input.focus();
    });
    cell.appendChild(reset);
    return cell;
  }

  $("user-form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    api("POST", "/api/faq/users", { username: $("u-name").value, password: $("u-password").value, role: $("u-role").value })
      .then(function (u) {
        $("u-name").value = ""; $("u-password").value = "";
        say("已新建账号 " + u.username + "（" + u.role_name + "）");
        loadUsers();
      }).catch(failed);
  });

  // -- start: a reloaded page keeps its session ---------------------------------------

  fetch("/api/faq/me", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) { if (me) signedIn(me); else signedOut(""); })
    .catch(function () { signedOut("无法连接服务器，请稍后刷新页面。"); });
  fill(EMPTY);
})();
