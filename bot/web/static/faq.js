// The public 政策解读 page: published FAQ entries grouped by topic, each with the verbatim
// quote of the clauses it cites. All text is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var groupsBox = document.getElementById("groups");
  var topics = document.getElementById("topics");
  var empty = document.getElementById("empty");
  var filter = document.getElementById("filter");

  // 发布 / 更新 / 复核日期, as a 政策解读 page dates each answer (China dates from the desk).
  function dates(e) {
    var parts = ["发布日期：" + e.first_published];
    if (e.updated && e.updated !== e.first_published) parts.push("更新日期：" + e.updated);
    if (e.review_by) parts.push("复核日期：" + e.review_by);
    return el("div", "dates", parts.join("　"));
  }

  function entry(e) {
    var article = el("article", "qa");
    article.appendChild(el("h3", null, e.question));
    article.appendChild(dates(e));
    article.appendChild(el("div", "answer", e.answer));
    e.clauses.forEach(function (c) {
      var cite = el("div", "cite");
      cite.appendChild(document.createTextNode("依据"));
      cite.appendChild(el("span", "label", "【" + c.label + "】"));
      cite.appendChild(document.createTextNode(c.title));
      article.appendChild(cite);
      article.appendChild(el("blockquote", null, c.quote));
    });
    var later = window.Hukou.render.changes(e.changes);
    if (later) article.appendChild(later);
    var more = el("a", "more", "在政策助手中继续咨询");
    more.href = "/?q=" + encodeURIComponent(e.question);
    article.appendChild(more);
    article.dataset.text = [e.question, e.answer].concat(e.tags).join(" ").toLowerCase();
    return article;
  }

  var STANDING = { not_yet: "尚未生效", in_force: "在有效期内", expired: "已过标注的失效日期" };

  // Each policy document: what it is, its standing today and its dates.
  function documents(list) {
    var box = document.getElementById("documents"), ul = document.getElementById("document-list");
    ul.textContent = "";
    (list || []).forEach(function (d) {
      var li = el("li");
      li.appendChild(el("strong", null, d.title + "（" + (d.doc_no || "无文号") + "）"));
      li.appendChild(el("div", "muted", d.issuer + " · " + d.kind_label + " · " + d.status_label));
      li.appendChild(el("div", "muted", "发布：" + d.issued + "；生效：" + d.effective_text +
        "；失效：" + (d.expires || "未标注") + "（" + STANDING[d.standing] + "）"));
      ul.appendChild(li);
    });
    box.hidden = !ul.childNodes.length;
  }

  function render(data) {
    document.getElementById("interpreter").textContent = data.interpreter.name;
    var p = data.policy;
    document.getElementById("policy-ref").textContent =
      p.issuer + "《" + p.title + "》（" + p.doc_no + "）";
    var link = document.getElementById("full-text");
    link.href = data.full_text;
    link.dataset.url = location.origin + data.full_text;
    document.getElementById("notice").textContent = data.notice;
    documents(data.documents);
    groupsBox.textContent = ""; topics.textContent = "";
    if (!data.count) { empty.textContent = "暂无已发布的政策解读。"; return; }
    data.groups.forEach(function (g, i) {
      var section = el("section", "group");
      var id = "topic-" + (i + 1);
      var heading = el("h2", null, g.tag);
      heading.id = id;
      section.setAttribute("aria-labelledby", id);
      section.appendChild(heading);
      g.entries.forEach(function (e) { section.appendChild(entry(e)); });
      groupsBox.appendChild(section);
      var link = el("a", null, g.tag + "（" + g.entries.length + "）");
      link.href = "#" + id;
      topics.appendChild(link);
    });
  }

  function applyFilter() {
    var needle = filter.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(groupsBox.querySelectorAll(".group"), function (section) {
      var visible = 0;
      Array.prototype.forEach.call(section.querySelectorAll(".qa"), function (a) {
        a.hidden = needle !== "" && a.dataset.text.indexOf(needle) < 0;
        if (!a.hidden) visible++;
      });
      section.hidden = visible === 0;
      shown += visible;
    });
    if (groupsBox.childNodes.length) empty.textContent = shown ? "" : "没有找到相关的问题，可以向政策助手提问。";
  }
  filter.addEventListener("input", applyFilter);
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  // A closed <details> prints as its summary only: open them all for the print (the
  // documents' list, each answer's 之后的变化), and close again those that were closed.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    openedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  fetch("/api/faq/published")
    .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
    .then(render)
    .catch(function () { empty.textContent = "政策解读暂时无法加载，请稍后刷新页面。"; });
})();
