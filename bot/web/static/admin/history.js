// The FAQ desk (/admin), part 3 of 6: an entry's versions, the diff between two, restoring one.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, failed = desk.failed, showError = desk.showError, clearError = desk.clearError;
  var say = desk.say, when = desk.when;
  var show = desk.show, isDirty = desk.isDirty, refreshList = desk.refreshList;

  // -- history ------------------------------------------------------------------------

  function renderHistory() {
    var d = state.current, list = $("versions");
    $("history").hidden = false;
    list.textContent = "";
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
      // The server decides (bot.web.faq_desk.restorable): never one's own version.
      if (v.restorable) {
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

  desk.renderHistory = renderHistory;
})();
