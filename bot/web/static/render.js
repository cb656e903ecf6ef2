// The chat's bubbles and clause card, drawn by the widget (chat.js) and by the FAQ desk's live
// preview (admin.js), so the preview shows an answer exactly as citizens see it.
// Each function returns the node; the caller puts it in place. Text is set with textContent
// only (window.Hukou.el, dom.js, which loads first).
(function () {
  "use strict";
  var el = window.Hukou.el;

  // Each row says who speaks to a screen reader ("您说：" / "助手说："); the avatar is decoration.
  function row(who) {
    var node = el("div", "row " + (who === "me" ? "me" : "bot"));
    var avatar = el("div", "avatar", who === "me" ? "我" : "助手");
    avatar.setAttribute("aria-hidden", "true");
    node.appendChild(avatar);
    return node;
  }

  function bubble(who, text, isError) {
    var node = row(who);
    var b = el("div", "bubble" + (isError ? " error" : ""));
    b.appendChild(el("span", "visually-hidden", who === "me" ? "您说：" : "助手说："));
    b.appendChild(document.createTextNode(text));
    if (isError) b.setAttribute("role", "alert");
    node.appendChild(b);
    return node;
  }

  // A long text answer that comes with a clause card shows its first lines; the card carries
  // the details and the full text stays one tap away.
  function longBubble(text) {
    var lines = text.split("\n");
    var node = row("bot");
    var b = el("div", "bubble");
    b.appendChild(el("span", "visually-hidden", "助手说："));
    b.appendChild(document.createTextNode(lines.slice(0, 2).join("\n")));
    var more = el("details");
    more.appendChild(el("summary", null, "查看完整文字答复"));
    more.appendChild(el("div", null, lines.slice(2).join("\n")));
    b.appendChild(more);
    node.appendChild(b);
    return node;
  }

  // The assistant's text: shortened when a clause card follows and it is longer than 4 lines.
  function answer(text, cardFollows) {
    return cardFollows && text.split("\n").length > 4 ? longBubble(text) : bubble("bot", text);
  }

  function hasCard(payload) { return !!(payload && payload.clauses && payload.clauses.length); }

  // "之后的变化": later measures in effect on the answer's date that touch a cited clause.
  // Only a verbatim passage is quoted (blockquote); a summary says that it is one. Each item
  // says who (worded by evidence: "据……（新闻报道）"), from when, and what it touches.
  // Returns null when nothing changed. options.open: unfolded (the preview and the hotline).
  function changes(block, options) {
    if (!block || !block.items || !block.items.length) return null;
    var d = el("details", "changes");
    if (options && options.open) d.open = true;
    d.appendChild(el("summary", null, "之后的变化（" + block.items.length + "项）"));
    d.appendChild(el("div", "why", block.scope + "。" + (block.no_successor ? block.no_successor + "。" : "")));
    block.items.forEach(function (item) {
      var box = el("div", "change");
      box.appendChild(el("div", "who", item.lead));
      if (item.quote) box.appendChild(el("blockquote", null, item.quote));
      // A quote may carry its source's remark; only a passage without words has a summary.
      if (item.quote && item.source.remark) box.appendChild(el("div", "why", "（" + item.source.remark + "）"));
      if (!item.quote && item.summary) box.appendChild(el("div", "summary", "概述（非原文）：" + item.summary));
      var scope = item.clauses.map(function (c) { return c.label; });
      box.appendChild(el("div", "why", "涉及" + (scope.join("、") || "所需材料") + "；依据：" + item.evidence_label));
      d.appendChild(box);
    });
    return d;
  }

  // One checkbox row of the documents to bring. `condition`: the case it is needed in, when
  // the citizen has not said yet; `confirm`: weak evidence, to confirm at the 派出所.
  function docRow(name, condition, confirm) {
    var li = el("li");
    var id = "doc-" + Date.now() + "-" + (++rows);
    var cb = el("input"); cb.type = "checkbox"; cb.id = id;
    var lab = el("label", null, name);
    lab.setAttribute("for", id);
    li.appendChild(cb); li.appendChild(lab);
    if (condition) li.appendChild(el("div", "cond", "适用于：" + condition));
    if (confirm) li.appendChild(el("div", "confirm", "一般还会要求，请向派出所确认"));
    return li;
  }
  var rows = 0;

  // The documents, folded under their count (short text first): the grouped checklist when
  // the payload has one (本人证件 / 关系证明 / 住所 / 其他), else the plain list. With a
  // checklist link, "打印 / 保存" opens the checklist page and "复制链接" copies its absolute
  // address (dom.js copyText: the clipboard, or a selected field with "请按 Ctrl+C").
  function documents(payload, open) {
    var groups = (payload.checklist && payload.checklist.groups) || [];
    var plain = payload.documents || [];
    var count = groups.length
      ? groups.reduce(function (n, g) { return n + g.items.length; }, 0)
      : plain.length;
    if (!count) return null;
    var d = el("details", "docs");
    if (open) d.open = true;
    d.appendChild(el("summary", null, "要带的材料（" + count + "项，可打勾）"));
    if (groups.length) {
      groups.forEach(function (g) {
        d.appendChild(el("h3", "group", g.title));
        var ul = el("ul");
        g.items.forEach(function (item) { ul.appendChild(docRow(item.name, item.condition, item.confirm)); });
        d.appendChild(ul);
      });
    } else {
      var ul = el("ul");
      plain.forEach(function (doc) { ul.appendChild(docRow(doc.name + (doc.when ? "（" + doc.when + "）" : ""), null, doc.confirm)); });
      d.appendChild(ul);
    }
    var link = payload.checklist && payload.checklist.link;
    if (link) {
      var links = el("div", "links");
      var print = el("a", "print-link", "打印 / 保存");
      print.href = link; print.target = "_blank"; print.rel = "noopener";
      var share = el("button", "copy-link", "复制链接"); share.type = "button";
      share.addEventListener("click", function () {
        window.Hukou.copyText(new URL(link, window.location.href).href, links);
      });
      links.appendChild(print); links.appendChild(share);
      d.appendChild(links);
    }
    return d;
  }

  // The clause card, or null when the payload cites no clause.
  // options.openQuotes: show each quote and the documents unfolded (the preview, so it can be
  // checked at a glance).
  function card(payload, options) {
    if (!hasCard(payload)) return null;
    var openQuotes = !!(options && options.openQuotes);
    var box = el("section", "card");
    // An FAQ answer cites its clauses as the basis; an assessment says which clauses apply.
    var faq = payload.type === "faq";
    // Another city's question: Liling's rule for the same case, never "applies to you".
    var elsewhere = payload.type === "other_city";
    box.setAttribute("aria-label", faq ? "答复依据" : elsewhere ? "醴陵的同类规定" : "适用条款");
    if (faq) box.appendChild(el("div", "why", "答复依据的政策条款："));
    if (elsewhere) box.appendChild(el("div", "why", "醴陵对同样情况的规定（不是" + payload.place + "的规定）："));
    payload.clauses.forEach(function (c) {
      var h = el("h2", c.ruled_out ? "ruled-out" : null);
      h.appendChild(el("span", "label", c.label));
      h.appendChild(document.createTextNode(c.title));
      // The route the citizen asked about, shown because it does not apply: say so first.
      if (c.ruled_out) h.appendChild(el("span", "tag", "按您说的情况不适用"));
      box.appendChild(h);
      if (c.why && c.why.length) {
        box.appendChild(el("div", "why", (c.ruled_out ? "不适用的原因：" : "理由：") + c.why.join("；")));
      }
      var d = el("details");
      if (openQuotes) d.open = true;
      d.appendChild(el("summary", null, "政策原文"));
      d.appendChild(el("blockquote", null, c.quote));
      box.appendChild(d);
    });
    var docs = documents(payload, openQuotes);
    if (docs) box.appendChild(docs);
    (payload.procedures || []).forEach(function (p) {
      box.appendChild(el("div", null, "到哪里办：" + p.where));
      if (p.time_limit) box.appendChild(el("div", "why", "时限：" + p.time_limit));
    });
    var later = changes(payload.changes, { open: openQuotes });
    if (later) box.appendChild(later);
    (payload.notices || []).slice(0, 1).forEach(function (n) { box.appendChild(el("div", "notice", n)); });
    return box;
  }

  window.Hukou.render = {
    row: row, bubble: bubble, longBubble: longBubble, answer: answer, hasCard: hasCard, card: card,
    changes: changes
  };
})();
