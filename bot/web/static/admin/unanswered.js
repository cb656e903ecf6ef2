// The FAQ desk (/admin), part 4 of 6: the questions the assistant could not answer, grouped.
// Search, dates and pages; a group becomes a draft entry, is marked 已处理 or 忽略, or several
// are merged (near-duplicates the grouping kept apart); the list downloads as CSV. Errors are
// shown beside the control that caused them.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk;
  var $ = desk.$, api = desk.api, clearError = desk.clearError;
  var say = desk.say, when = desk.when, besides = desk.besides;
  var show = desk.show, isDirty = desk.isDirty, refreshList = desk.refreshList;

  var REASONS = { fallback: "助手没听懂", out_of_scope: "超出政策范围" };
  var offset = 0, page = 50, selected = {};

  function query() {
    var q = [];
    [["q", "u-q"], ["start", "u-start"], ["end", "u-end"]].forEach(function (p) {
      if ($(p[1]).value) q.push(p[0] + "=" + encodeURIComponent($(p[1]).value));
    });
    return q;
  }

  function loadGroups(at) {
    if (typeof at === "number") offset = at;
    $("u-error").textContent = "";
    var q = query();
    $("u-export").href = "/api/faq/unanswered.csv" + (q.length ? "?" + q.join("&") : "");
    q.push("offset=" + offset);
    return api("GET", "/api/faq/unanswered?" + q.join("&")).then(function (d) {
      page = d.page; selected = {};
      updateMerge();
      var list = $("groups");
      list.textContent = "";
      $("u-count").textContent = "共 " + d.total + " 组";
      $("u-page").textContent = d.total ? "第 " + (offset + 1) + "–" + (offset + d.groups.length) + " 组" : "";
      $("u-prev").disabled = offset === 0;
      $("u-next").disabled = offset + d.groups.length >= d.total;
      if (!d.groups.length) { list.appendChild(el("li", "muted", "没有符合条件的未解答问题。")); return; }
      d.groups.forEach(function (g) { list.appendChild(groupItem(g)); });
    }).catch(besides($("u-error"), null));
  }

  function groupItem(g) {
    var item = el("li");
    var head = el("label", "pick");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.setAttribute("aria-label", "选择这一组（用于合并）");
    box.addEventListener("change", function () { if (box.checked) selected[g.id] = true; else delete selected[g.id]; updateMerge(); });
    head.appendChild(box);
    head.appendChild(el("span", "text", g.text));
    item.appendChild(head);
    item.appendChild(el("div", "muted", "共 " + g.count + " 次 · 最近一次 " + when(g.last_seen) +
      (g.reasons.length ? " · " + g.reasons.map(function (r) { return REASONS[r] || r; }).join("、") : "")));
    if (g.examples.length > 1) {
      var examples = el("ul");
      g.examples.forEach(function (x) { examples.appendChild(el("li", null, x)); });
      item.appendChild(examples);
    }
    item.appendChild(desk.itemButtons([
      ["生成草稿", function (b, error) { draftFrom(g.id, b, error); }],
      ["已处理", function (b, error) { resolve(g.id, "done", b, error); }],
      ["忽略", function (b, error) { resolve(g.id, "ignore", b, error); }]
    ]));
    return item;
  }

  function updateMerge() { $("u-merge").disabled = Object.keys(selected).length < 2; }

  function draftFrom(groupId, button, error) {
    clearError();
    if (isDirty()) { error.textContent = "“条目”页的编辑区有未保存的修改：请先保存或放弃修改，再生成草稿。"; return; }
    button.disabled = true;
    api("POST", "/api/faq/unanswered/" + groupId + "/draft").then(function (d) {
      desk.selectTab("entries");
      show(d, true);
      refreshList();
      say("已生成草稿 #" + d.entry.id + "：请填写答案、引用条款后提交审核。");
      $("e-answer").focus();
    }).catch(besides(error, button));
  }

  function resolve(groupId, how, button, error) {
    button.disabled = true;
    api("POST", "/api/faq/unanswered/" + groupId + "/" + how).then(function (d) {
      say((how === "done" ? "已标记为已处理：" : "已忽略：") + d.questions + " 条问题。");
      loadGroups();
    }).catch(besides(error, button));
  }

  $("u-merge").addEventListener("click", function () {
    var ids = Object.keys(selected).map(Number);
    var button = $("u-merge");
    button.disabled = true;
    api("POST", "/api/faq/unanswered-merge", { group_ids: ids }).then(function (g) {
      say("已合并为一组：" + g.text + "（共 " + g.count + " 次）");
      loadGroups();
    }).catch(function (err) { $("u-error").textContent = (err && err.message) || String(err); updateMerge(); });
  });
  $("u-filter").addEventListener("submit", function (event) { event.preventDefault(); loadGroups(0); });
  $("u-prev").addEventListener("click", function () { loadGroups(Math.max(0, offset - page)); });
  $("u-next").addEventListener("click", function () { loadGroups(offset + page); });

  desk.loadGroups = loadGroups;
})();
