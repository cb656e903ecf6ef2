// The FAQ desk (/admin), part 4 of 6: the questions the assistant could not answer, grouped;
// a group becomes a draft entry.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk;
  var $ = desk.$, api = desk.api, failed = desk.failed, showError = desk.showError, clearError = desk.clearError;
  var say = desk.say, when = desk.when;
  var show = desk.show, isDirty = desk.isDirty, refreshList = desk.refreshList;

  var REASONS = { fallback: "助手没听懂", out_of_scope: "超出政策范围" };

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
      desk.selectTab("entries");
      show(d, true);
      refreshList();
      say("已生成草稿 #" + d.entry.id + "：请填写答案、引用条款后提交审核。");
      $("e-answer").focus();
    }).catch(function (err) { failed(err); button.disabled = false; });
  }

  desk.loadGroups = loadGroups;
})();
