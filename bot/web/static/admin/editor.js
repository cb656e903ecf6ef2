// The FAQ desk (/admin), part 2 of 6: the entries pane. The list, the clause picker, the
// editor (save, conflicts), the workflow buttons and the live preview. Every text from the
// server or typed by staff is set with textContent (window.Hukou.el), never parsed as HTML.
// Unsaved text is never thrown away: a conflict or a failed request leaves the editor as it was.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var draw = window.Hukou.render;  // render.js: the chat widget's bubbles and clause card
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, failed = desk.failed, showError = desk.showError, clearError = desk.clearError;
  var say = desk.say, when = desk.when;

  var ACTIONS = { submit: "提交审核", approve: "审核通过", reject: "退回修改", publish: "发布", archive: "归档" };
  var ANSWER_MAX = 2000;
  var EMPTY = { question: "", paraphrases: [], answer: "", clause_ids: [], tags: [] };
  state.loaded = EMPTY;

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
    desk.renderHistory();
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

  desk.EMPTY = EMPTY; desk.fillStatusFilter = fillStatusFilter; desk.refreshList = refreshList; desk.loadClauses = loadClauses;
  desk.isDirty = isDirty; desk.fill = fill; desk.show = show; desk.newEntry = newEntry; desk.reloadCurrent = reloadCurrent;
  desk.openEntry = openEntry;
})();
