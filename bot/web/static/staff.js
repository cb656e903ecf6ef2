// Hotline staff page: the caller's words and ticked facts → /api/lookup, updated as staff type.
(function () {
  "use strict";
  var text = document.getElementById("text");
  var factsBox = document.getElementById("facts");
  var result = document.getElementById("result");
  var understoodBox = document.getElementById("understood");
  var copyBtn = document.getElementById("copy");
  var copied = document.getElementById("copied");
  var q = document.getElementById("q");
  var asOf = document.getElementById("as-of");
  var hits = document.getElementById("hits");
  var ticked = {};
  var FACTS = {};
  var answerText = "";
  var timer = null, searchTimer = null, seq = 0;

  var el = window.Hukou.el;

  fetch("/api/facts").then(function (r) { return r.json(); }).then(function (data) {
    data.facts.forEach(function (f) {
      FACTS[f.fact] = f;
      var row = el("div", "fact");
      var id = "fact-" + f.fact;
      var lab = el("label", null, f.label); lab.setAttribute("for", id);
      var sel = el("select"); sel.id = id; sel.dataset.fact = f.fact;
      sel.appendChild(new Option("（未知）", ""));
      f.options.forEach(function (o) { if (o.value !== null) sel.appendChild(new Option(o.label, JSON.stringify(o.value))); });
      sel.addEventListener("change", function () {
        if (sel.value === "") delete ticked[f.fact]; else ticked[f.fact] = JSON.parse(sel.value);
        row.classList.toggle("known", sel.value !== "");
        schedule();
      });
      row.appendChild(lab); row.appendChild(sel); factsBox.appendChild(row);
    });
  });

  function schedule() { clearTimeout(timer); timer = setTimeout(lookup, 250); }

  function lookup() {
    var mine = ++seq;
    fetch("/api/lookup", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(asOf.value ? { text: text.value, facts: ticked, date: asOf.value }
                                      : { text: text.value, facts: ticked }) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) { if (mine === seq) show(res); })
      .catch(function () { result.textContent = "查询服务暂时不可用，请稍后再试。"; });
  }

  var OUTCOMES = { eligible: "可以办理", undetermined: "还需确认", residence_permit: "不符合落户情形，可办居住证",
    refused: "不属于可往农村迁移的情形", need_goal: "请先确定来电人要办的事", information: "咨询政策" };

  function describe(values, name) {
    var f = FACTS[name];
    if (!f) return name;
    var option = f.options.filter(function (o) { return o.value === values[name]; })[0];
    return f.label + "：" + (option ? option.label : String(values[name]));
  }

  function clauseBox(c, maybe) {
    var box = el("div", "clause" + (c.ruled_out ? " ruled-out" : maybe ? " maybe" : ""));
    // A route the caller's words are about, shown because it does not apply.
    box.appendChild(el("h3", null, c.label + " " + c.title + (c.ruled_out ? "（按所述情况不适用）" : "")));
    box.appendChild(el("blockquote", null, c.quote));
    if (c.why && c.why.length) {
      box.appendChild(el("div", "muted", (c.ruled_out ? "不适用的原因：" : "理由：") + c.why.join("；")));
    }
    if (c.departments && c.departments.length) box.appendChild(el("div", "muted", "负责部门：" + c.departments.join("、")));
    return box;
  }

  // A topic question, the policy's dates or a decline: what the chat would answer.
  function showAnswer(p, lines) {
    var KINDS = { clause: "政策原文", policy: "政策效力", out_of_scope: "不属于本政策范围",
      other_city: "外地落户：只答醴陵的同类规定" };
    result.appendChild(el("div", "outcome", KINDS[p.type] || "答复"));
    lines.push(KINDS[p.type] || "");
    if (p.type === "other_city" && p.text) {
      // The referral comes first: this is Liling's rule, not the other city's.
      var first = p.text.split("\n")[0];
      result.appendChild(el("div", "confirm", first));
      lines.push(first);
    }
    p.clauses.forEach(function (c) {
      result.appendChild(clauseBox(c, false));
      lines.push(c.label + " " + c.title + "：“" + c.quote + "”");
    });
    if (!p.clauses.length && p.text) {
      result.appendChild(el("div", null, p.text));
      lines.push(p.text);
    }
  }

  function showAssessment(p, lines) {
    result.appendChild(el("div", "outcome", OUTCOMES[p.outcome] || p.outcome));
    lines.push(OUTCOMES[p.outcome] || "");
    p.clauses.forEach(function (c) {
      result.appendChild(clauseBox(c, p.outcome === "undetermined"));
      lines.push(c.label + " " + c.title + (c.ruled_out ? "（按所述情况不适用：" + c.why.join("；") + "）" : "")
        + "：“" + c.quote + "”");
    });
    if (p.missing.length) {
      result.appendChild(el("div", "muted", "还需问清：" + p.questions.slice(0, 3).map(function (x) { return x.question; }).join(" ")));
    }
    if (p.documents.length) {
      result.appendChild(el("strong", null, "材料"));
      var ul = el("ul");
      p.documents.forEach(function (d) {
        var li = el("li", null, d.name + (d.when ? "（" + d.when + "）" : ""));
        if (d.confirm) li.appendChild(el("span", "confirm", " 一般还会要求，请向派出所确认"));
        ul.appendChild(li);
      });
      result.appendChild(ul);
      lines.push("需要准备：" + p.documents.map(function (d) { return d.name + (d.when ? "（" + d.when + "）" : ""); }).join("、"));
    }
    p.procedures.forEach(function (pr) {
      result.appendChild(el("div", null, "到哪里办：" + pr.where + (pr.time_limit ? "；时限：" + pr.time_limit : "")));
      lines.push("办理地点：" + pr.where);
    });
    p.related.forEach(function (r) { result.appendChild(el("div", "muted", "相关：" + r.label + " " + r.title + "——" + r.why)); });
    p.ruled_out.forEach(function (c) {
      var box = el("div", "clause ruled");
      box.appendChild(el("div", null, "不适用 " + c.label + " " + c.title + "：" + c.why.join("；")));
      result.appendChild(box);
    });
  }

  var STANDING = { true: "已过标注的失效日期", false: "在标注的有效期内" };

  // Which day the answer holds for, and the document's standing on it.
  function status(policy, lines) {
    if (!policy || !policy.as_of) return;
    var line = "按 " + policy.as_of + " 作答 · " + policy.doc_no + "：" + STANDING[policy.expired] +
      "（" + policy.expires + "）";
    result.appendChild(el("div", "status", line));
    lines.push(line);
  }

  // "之后的变化" (render.js draws it as the widget's card does), and its lines for the copy.
  function later(block, lines) {
    var node = window.Hukou.render.changes(block, { open: true });
    if (!node) return;
    result.appendChild(node);
    lines.push(block.heading);
    block.items.forEach(function (item) { lines.push("· " + item.text); });
  }

  function show(res) {
    result.textContent = ""; understoodBox.textContent = "";
    if (!res.ok) { result.appendChild(el("div", "confirm", res.body.detail || "查询失败")); copyBtn.disabled = true; return; }
    var p = res.body;
    var u = Object.keys(p.understood || {});
    var how = p.understanding && p.understanding.source === "rules" ? "（意图模型暂不可用，只按规则理解）" : "";
    understoodBox.textContent = u.length ? "从描述中理解到：" + u.map(describe.bind(null, p.understood)).join("；") + how : how;
    var lines = [];
    status(p.policy, lines);
    var assessment = p.type === "assessment" ? p : p.assessment;
    if (p.type !== "assessment") { showAnswer(p, lines); later(p.changes, lines); }
    // Beside a topic answer, the assessment only when the words or ticks gave a goal.
    if (assessment && (p.type === "assessment" || assessment.outcome !== "need_goal")) {
      if (p.type !== "assessment") result.appendChild(el("h3", null, "按来电人情况"));
      showAssessment(assessment, lines);
      later(assessment.changes, lines);
    }
    p.notices.forEach(function (n) { result.appendChild(el("div", "muted", n)); lines.push(n); });
    answerText = lines.filter(Boolean).join("\n");
    copyBtn.disabled = !lines.filter(Boolean).length;
  }

  copyBtn.addEventListener("click", function () {
    var done = function () { copied.textContent = "已复制"; setTimeout(function () { copied.textContent = ""; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(answerText).then(done, function () { copied.textContent = "复制失败，请手动选择文字"; });
  });
  text.addEventListener("input", schedule);
  asOf.addEventListener("change", schedule);
  document.getElementById("clear").addEventListener("click", function () {
    text.value = ""; ticked = {}; asOf.value = "";
    Array.prototype.forEach.call(factsBox.querySelectorAll("select"), function (s) { s.value = ""; s.parentNode.classList.remove("known"); });
    schedule();
  });
  q.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      fetch("/api/search?q=" + encodeURIComponent(q.value)).then(function (r) { return r.json(); }).then(function (d) {
        hits.textContent = "";
        (d.hits || []).forEach(function (h) {
          var li = el("li");
          li.appendChild(el("strong", null, h.label + " " + h.title));
          var s = el("div", "muted");
          // Snippets are escaped by the server; only <mark> tags are added there.
          s.innerHTML = h.snippet;
          li.appendChild(s);
          hits.appendChild(li);
        });
      });
    }, 200);
  });
  lookup();
})();
