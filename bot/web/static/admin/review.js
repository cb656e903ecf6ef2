// The FAQ desk (/admin): the reviewer's queue. 待我审核（N） lists the entries waiting for this
// reviewer's approval or publication; the 复核 list (beside the unanswered groups) holds answers
// a citizen marked 没用 and answers given with low confidence. Each opens as its whole
// conversation (masked by the server) and can become a draft. Reviewers and admins only.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk;
  var $ = desk.$, api = desk.api, failed = desk.failed, clearError = desk.clearError;
  var say = desk.say, when = desk.when, besides = desk.besides;

  var offset = 0, page = 20;

  function percent(x) { return x === null || x === undefined ? "—" : Math.round(x * 100) + "%"; }

  function loadReview(at) {
    if (typeof at === "number") offset = at;
    return api("GET", "/api/faq/review?offset=" + offset).then(function (d) {
      page = d.page;
      $("review-count").textContent = d.count;
      $("recheck-count").textContent = d.turns_total;
      $("recheck-threshold").textContent = percent(d.threshold);
      drawEntries($("review-entries"), d.entries, "没有等您审核或发布的条目。");
      drawEntries($("review-due"), d.due, "没有已到复核日期的条目。");
      $("review-turns").textContent = d.turns_total
        ? "另有 " + d.turns_total + " 条回答待复核（市民点了“没用”，或助手把握不大）。"
        : "目前没有待复核的回答。";
      drawTurns(d.turns);
      $("recheck-page").textContent = d.turns_total
        ? "第 " + (offset + 1) + "–" + (offset + d.turns.length) + " 条，共 " + d.turns_total + " 条" : "";
      $("recheck-prev").disabled = offset === 0;
      $("recheck-next").disabled = offset + d.turns.length >= d.turns_total;
    }).catch(failed);
  }

  function drawEntries(list, entries, none) {
    list.textContent = "";
    if (!entries.length) { list.appendChild(el("li", "muted", none)); return; }
    entries.forEach(function (e) {
      var button = el("button");
      button.type = "button";
      var q = el("span", "q");
      q.appendChild(el("span", "badge " + e.status, e.status_name));
      q.appendChild(document.createTextNode(e.question));
      button.appendChild(q);
      button.appendChild(el("span", "meta", "#" + e.id + " · 撰写人 " + e.author + " · " + when(e.updated_at) +
        (e.actions ? " · 可" + e.actions.map(function (a) { return a === "approve" ? "审核" : "发布"; }).join("、")
          : " · 复核日期 " + e.review_by)));
      button.addEventListener("click", function () { desk.selectTab("entries"); desk.openEntry(e.id); });
      list.appendChild(el("li")).appendChild(button);
    });
  }

  function describe(t) {
    var parts = [when(t.at), t.outcome_name, "置信度 " + percent(t.confidence)];
    if (t.faq_key) parts.push("常见问题 " + t.faq_key);
    if (t.clause_labels.length) parts.push("条款 " + t.clause_labels.join("、"));
    return parts.join(" · ");
  }

  function drawTurns(turns) {
    var list = $("recheck-list");
    list.textContent = "";
    if (!turns.length) { list.appendChild(el("li", "muted", "目前没有待复核的回答。")); return; }
    turns.forEach(function (t) {
      var item = el("li");
      item.appendChild(el("div", "text", t.text || "（按钮选择，无文字）"));
      item.appendChild(el("div", "muted", describe(t)));
      if (t.useful === false) {
        item.appendChild(el("div", "verdict", "市民反馈：没用" + (t.reason ? "（" + t.reason + "）" : "") + (t.comment ? "：" + t.comment : "")));
      } else {
        item.appendChild(el("div", "verdict unsure", "助手把握不大"));
      }
      item.appendChild(desk.itemButtons([
        ["查看完整对话", function (b, error) { openConversation(t.id, error); }],
        ["生成草稿", function (b, error) { draftFrom(t.id, b, error); }],
        ["已复核", function (b, error) { markDone(t.id, b, error); }]
      ]));
      list.appendChild(item);
    });
  }

  function draftFrom(turnId, button, error) {
    clearError();
    if (desk.isDirty()) { error.textContent = "“条目”页的编辑区有未保存的修改：请先保存或放弃修改，再生成草稿。"; return; }
    button.disabled = true;
    api("POST", "/api/faq/review/turns/" + turnId + "/draft").then(function (d) {
      desk.selectTab("entries");
      desk.show(d, true);
      desk.refreshList();
      loadReview();
      say("已生成草稿 #" + d.entry.id + "：请改写问题、填写答案并引用条款后提交审核。");
      $("e-answer").focus();
    }).catch(besides(error, button));
  }

  function markDone(turnId, button, error) {
    button.disabled = true;
    api("POST", "/api/faq/review/turns/" + turnId + "/done").then(function () {
      say("已标记为已复核。");
      loadReview();
    }).catch(besides(error, button));
  }

  // -- the whole conversation, in a dialog ----------------------------------------------

  var dialog = null;
  function conversationDialog() {
    if (dialog) return dialog;
    dialog = el("dialog", "conversation");
    dialog.setAttribute("aria-labelledby", "conversation-title");
    var head = el("div", "dialog-head");
    head.appendChild(el("h2", null, "完整对话（个人信息已隐去）")).id = "conversation-title";
    var close = el("button", null, "关闭");
    close.type = "button";
    close.addEventListener("click", function () { dialog.close(); });
    head.appendChild(close);
    dialog.appendChild(head);
    dialog.appendChild(el("ol", "talk")).id = "conversation-turns";
    document.body.appendChild(dialog);
    return dialog;
  }

  function openConversation(turnId, error) {
    api("GET", "/api/faq/review/turns/" + turnId).then(function (d) {
      var box = conversationDialog();
      var list = $("conversation-turns");
      list.textContent = "";
      d.turns.forEach(function (t) {
        var item = el("li", t.id === turnId ? "chosen-turn" : null);
        item.appendChild(el("div", "who-says", "市民"));
        item.appendChild(el("div", "said", t.text || "（按钮选择，无文字）"));
        item.appendChild(el("div", "who-says", "助手"));
        item.appendChild(el("div", "said reply", t.reply || "（无文字答复）"));
        item.appendChild(el("div", "muted", describe(t) +
          (t.useful === null ? "" : " · 市民反馈：" + (t.useful ? "有用" : "没用") + (t.reason ? "（" + t.reason + "）" : ""))));
        list.appendChild(item);
      });
      box.showModal();
      var chosen = list.querySelector(".chosen-turn");
      if (chosen) chosen.scrollIntoView({ block: "nearest" });
    }).catch(besides(error, null));
  }

  $("recheck-prev").addEventListener("click", function () { loadReview(Math.max(0, offset - page)); });
  $("recheck-next").addEventListener("click", function () { loadReview(offset + page); });
  $("open-recheck").addEventListener("click", function () {
    desk.selectTab("unanswered");
    $("recheck").scrollIntoView({ block: "start" });  // on a phone it is below the groups
  });

  desk.loadReview = loadReview;
})();
