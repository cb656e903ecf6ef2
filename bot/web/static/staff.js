// Hotline staff page (issue 15): a caller and the applicants they speak for, each assessed from
// one description; understood facts and the operator's choices in one place; a script to read
// out, a 办事指南 view and a 工单 block; search that opens the full clause. Text only
// (textContent): nothing the caller or the policy says is parsed as HTML.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var $ = function (id) { return document.getElementById(id); };
  var text = $("text"), asOf = $("as-of"), tabs = $("applicants"), who = $("who");
  var factsMain = $("facts-main"), factsRest = $("facts-rest"), factsMore = $("facts-more");
  var result = $("result"), guide = $("guide"), ticketText = $("ticket-text"), asks = $("asks");
  var script = $("script"), copyBtn = $("copy"), copied = $("copied"), printLink = $("print");
  var q = $("q"), hits = $("hits"), searchNote = $("search-note"), clauseView = $("clause-view");

  var FACTS = {}, ORDER = [], SECTIONS = [];
  var ROLES = { self: "本人", spouse: "配偶", child: "子女", parent: "父母", other: "其他亲属" };
  // Whom the words are about, as the understanding read them (the answer's `applicant`): the
  // caller, or the one relative the call is made for (来电人称其侄子…代为咨询).
  var RELATIONS = { self: "本人", spouse: "配偶", child: "子女", parent: "父母", sibling: "兄弟姐妹",
    grandchild: "孙子女", other: "其他亲属" };
  var UNKNOWN = "（未知）", UNSAID = "未见规定，以派出所公布为准";
  // The call: the applicants (each with the facts the operator set by hand and the questions
  // the caller could not answer). While `proposed` is true the list follows the words.
  var call = fresh();
  var answers = [];
  var timer = null, searchTimer = null, seq = 0;

  function fresh() {
    return { applicants: [wordsPerson("self")], active: 0, proposed: true };
  }
  function person(role, label) { return { role: role, label: label || ROLES[role], ticked: {}, unsure: {} }; }
  // The one applicant the words are about: asked for with the words' own facts (role `self`
  // of the request), named by their relation to the caller.
  function wordsPerson(relation) {
    var r = RELATIONS[relation] ? relation : "self";
    var p = person("self", r === "self" ? "" : RELATIONS[r] + "（来电人代问）");
    p.relation = r; p.words = true;
    return p;
  }
  function relationOf(a) { return a.relation || a.role; }
  function current() { return call.applicants[call.active]; }

  // -- facts -------------------------------------------------------------------------------

  function optionLabel(name, value) {
    var f = FACTS[name];
    if (!f) return String(value);
    var o = f.options.filter(function (x) { return x.value === value; })[0];
    return o ? o.label : String(value);
  }

  function factRow(f) {
    var row = el("div", "fact");
    var id = "fact-" + f.fact;
    var lab = el("label", null, f.label); lab.setAttribute("for", id);
    var sel = el("select"); sel.id = id; sel.dataset.fact = f.fact;
    sel.appendChild(new Option(UNKNOWN, ""));
    f.options.forEach(function (o) { if (o.value !== null) sel.appendChild(new Option(o.label, JSON.stringify(o.value))); });
    var mark = el("span", "src"); mark.id = "src-" + f.fact;
    var back = el("button", "back", "按描述"); back.type = "button"; back.hidden = true;
    back.title = "撤销人工选择，按来电人的描述";
    sel.addEventListener("change", function () {
      var a = current();
      a.ticked[f.fact] = sel.value === "" ? null : JSON.parse(sel.value);
      delete a.unsure[f.fact];
      call.proposed = false;
      schedule();
    });
    back.addEventListener("click", function () { delete current().ticked[f.fact]; call.proposed = false; schedule(); sel.focus(); });
    var tag = el("span", "tag"); tag.appendChild(mark); tag.appendChild(back);
    row.appendChild(lab); row.appendChild(sel); row.appendChild(tag);
    return row;
  }

  // One source of truth: each select shows the value in force — the operator's (人工), else
  // the words' (据描述) — and nothing else on the page repeats the facts.
  function showFacts(answer) {
    var a = current();
    var understood = (answer && answer.understood) || {};
    var assessment = answer && (answer.type === "assessment" ? answer : answer.assessment);
    var relevant = { goal: true };
    if (assessment) {
      Object.keys(assessment.situation || {}).forEach(function (n) { relevant[n] = true; });
      // With no goal yet every fact is "missing": only the goal is asked first.
      if (assessment.outcome !== "need_goal") (assessment.missing || []).forEach(function (n) { relevant[n] = true; });
    }
    Object.keys(a.ticked).forEach(function (n) { relevant[n] = true; });
    var rest = 0;
    ORDER.forEach(function (name) {
      var row = $("fact-" + name).parentNode, sel = $("fact-" + name), mark = $("src-" + name);
      var hand = Object.prototype.hasOwnProperty.call(a.ticked, name);
      var value = hand ? a.ticked[name] : understood[name];
      sel.value = value === undefined || value === null ? "" : JSON.stringify(value);
      mark.textContent = hand ? "人工" : (value !== undefined && value !== null ? "据描述" : "");
      mark.className = "src" + (hand ? " hand" : value !== undefined && value !== null ? " words" : "");
      row.classList.toggle("known", sel.value !== "");
      row.querySelector(".back").hidden = !(hand && understood[name] !== undefined);
      var box = relevant[name] ? factsMain : factsRest;
      if (row.parentNode !== box) box.appendChild(row);
      if (!relevant[name]) rest++;
    });
    // Rows keep the facts' own order within each box.
    [factsMain, factsRest].forEach(function (box) {
      ORDER.forEach(function (name) { var r = $("fact-" + name).parentNode; if (r.parentNode === box) box.appendChild(r); });
    });
    $("facts-more-summary").textContent = "其他情况项（" + rest + "项，与所办事项关系不大）";
  }

  // -- applicants --------------------------------------------------------------------------

  function showTabs() {
    tabs.textContent = "";
    call.applicants.forEach(function (a, i) {
      var b = el("button", "tab", a.label);
      b.type = "button"; b.setAttribute("role", "tab"); b.id = "applicant-" + i;
      b.setAttribute("aria-selected", String(i === call.active));
      b.tabIndex = i === call.active ? 0 : -1;
      var ans = answers[i];
      var outcome = ans ? outcomeOf(ans) : "";
      if (outcome) b.appendChild(el("span", "tab-outcome", outcome));
      b.addEventListener("click", function () { select(i); });
      b.addEventListener("keydown", function (e) {
        var d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        select((i + d + call.applicants.length) % call.applicants.length);
        $("applicant-" + call.active).focus();
      });
      tabs.appendChild(b);
    });
    $("remove-applicant").disabled = call.applicants.length < 2;
    $("relabel").value = "";
    $("relabel").placeholder = "改称呼（现为：" + current().label + "）";
  }

  function select(i) {
    call.active = i;
    showTabs();
    render();
  }

  $("add-applicant").addEventListener("click", function () {
    var role = $("new-role").value;
    call.applicants.push(person(role, ROLES[role] + (call.applicants.filter(function (a) { return a.role === role; }).length ? call.applicants.length + 1 : "")));
    call.proposed = false;
    call.active = call.applicants.length - 1;
    showTabs(); schedule();
  });
  $("remove-applicant").addEventListener("click", function () {
    if (call.applicants.length < 2) return;
    call.applicants.splice(call.active, 1);
    answers.splice(call.active, 1);
    call.active = Math.max(0, call.active - 1);
    call.proposed = false;
    showTabs(); schedule();
  });
  $("relabel").addEventListener("change", function () {
    var v = $("relabel").value.trim();
    if (!v) return;
    current().label = v.slice(0, 40);
    call.proposed = false;
    showTabs(); schedule();
  });

  // -- lookup ------------------------------------------------------------------------------

  function schedule() { clearTimeout(timer); timer = setTimeout(lookup, 250); }

  // While the list only follows the words (`proposed`), or holds the caller alone, the request
  // has the one-applicant shape; the answer then proposes the people the words name.
  function request() {
    var body = { text: text.value };
    if (asOf.value) body.date = asOf.value;
    var only = call.applicants[0];
    if (call.proposed || (call.applicants.length === 1 && only.role === "self" && (only.words || only.label === ROLES.self))) {
      body.facts = clean(only.ticked);
    } else {
      body.applicants = call.applicants.map(function (a) { return { role: a.role, label: a.label, facts: clean(a.ticked) }; });
    }
    return body;
  }
  function clean(ticked) { var o = {}; Object.keys(ticked).forEach(function (k) { o[k] = ticked[k]; }); return o; }

  function lookup() {
    var mine = ++seq, body = request();
    fetch("/api/lookup", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) { if (mine === seq) received(res, "applicants" in body); })
      .catch(function () { failed("查询服务暂时不可用，请稍后再试。"); });
  }

  function failed(message) {
    result.textContent = ""; guide.textContent = ""; asks.textContent = "";
    result.appendChild(el("div", "confirm", message));
    script.value = ""; copyBtn.disabled = true; printLink.hidden = true;
  }

  function received(res, several) {
    if (!res.ok) { failed(res.body.detail || "查询失败"); return; }
    var p = res.body;
    var people = p.applicants || [];
    if (several) {
      answers = people.map(function (x) { return x.answer; });
    } else if (call.proposed && people.length > 1) {
      // The words name several people: one applicant each, as the understanding split them.
      var same = people.length === call.applicants.length && people.every(function (x, i) { return x.role === call.applicants[i].role; });
      if (!same) { call.applicants = people.map(function (x) { return person(x.role, x.label); }); call.active = 0; }
      answers = people.map(function (x) { return x.answer; });
    } else {
      var about = p.applicant || "self";
      if (call.proposed && (call.applicants.length > 1 || relationOf(call.applicants[0]) !== about)) {
        call.applicants = [wordsPerson(about)]; call.active = 0;
      }
      answers = [p];
    }
    if (call.active >= answers.length) call.active = 0;
    showTabs();
    render();
  }

  var OUTCOMES = { eligible: "可以办理", undetermined: "还需确认", residence_permit: "不符合落户情形，可办居住证",
    refused: "不属于可往农村迁移的情形", need_goal: "请先确定要办的事", information: "咨询政策" };

  function assessmentOf(p) { return p.type === "assessment" ? p : p.assessment; }
  function outcomeOf(p) { var a = assessmentOf(p); return a ? OUTCOMES[a.outcome] || "" : ""; }
  function cited(a) { return (a.clauses || []).filter(function (c) { return !c.ruled_out; }); }

  function render() {
    var p = answers[call.active];
    showFacts(p);
    result.textContent = ""; guide.textContent = ""; asks.textContent = "";
    if (!p) return;
    var a = current();
    who.textContent = "申请人：" + a.label + (outcomeOf(p) ? " · " + outcomeOf(p) : "");
    if (p.understanding && p.understanding.source === "rules") {
      result.appendChild(el("div", "muted how", "意图模型暂不可用，只按规则理解来电人的话。"));
    }
    status(p.policy);
    var assessment = assessmentOf(p);
    if (p.type !== "assessment") { showAnswer(p); later(p.changes); }
    if (assessment && (p.type === "assessment" || assessment.outcome !== "need_goal")) {
      if (p.type !== "assessment") result.appendChild(el("h3", null, "按申请人情况"));
      showAssessment(assessment);
      later(assessment.changes);
    }
    p.notices.forEach(function (n) { result.appendChild(el("div", "muted", n)); });
    showAsks(assessment);
    showGuide(assessment);
    script.value = scriptFor(p, assessment, a);
    copyBtn.disabled = !script.value;
    ticketText.value = ticketFor(p, assessment, a);
    var link = assessment && cited(assessment).length && assessment.checklist && assessment.checklist.link;
    printLink.hidden = !link;
    if (link) printLink.href = link;
  }

  function clauseBox(c, maybe) {
    var box = el("div", "clause" + (c.ruled_out ? " ruled-out" : maybe ? " maybe" : ""));
    box.appendChild(el("h3", null, c.label + " " + c.title + (c.ruled_out ? "（按所述情况不适用）" : "")));
    box.appendChild(el("blockquote", null, c.quote));
    if (c.why && c.why.length) box.appendChild(el("div", "muted", (c.ruled_out ? "不适用的原因：" : "理由：") + c.why.join("；")));
    if (c.departments && c.departments.length) box.appendChild(el("div", "muted", "负责部门：" + c.departments.join("、")));
    return box;
  }

  function showAnswer(p) {
    var KINDS = { clause: "政策原文", policy: "政策效力", out_of_scope: "不属于本政策范围", other_city: "外地落户：只答醴陵的同类规定" };
    result.appendChild(el("div", "outcome", KINDS[p.type] || "答复"));
    if (p.type === "other_city" && p.text) result.appendChild(el("div", "confirm", p.text.split("\n")[0]));
    p.clauses.forEach(function (c) { result.appendChild(clauseBox(c, false)); });
    if (!p.clauses.length && p.text) result.appendChild(el("div", null, p.text));
  }

  function showAssessment(p) {
    result.appendChild(el("div", "outcome", OUTCOMES[p.outcome] || p.outcome));
    p.clauses.forEach(function (c) { result.appendChild(clauseBox(c, p.outcome === "undetermined")); });
    p.related.forEach(function (r) { result.appendChild(el("div", "muted", "相关：" + r.label + " " + r.title + "——" + r.why)); });
    p.ruled_out.forEach(function (c) {
      var box = el("div", "clause ruled");
      box.appendChild(el("div", null, "不适用 " + c.label + " " + c.title + "：" + c.why.join("；")));
      result.appendChild(box);
    });
  }

  var STANDING = { true: "已过标注的失效日期", false: "在标注的有效期内" };
  function status(policy) {
    if (!policy || !policy.as_of) return;
    result.appendChild(el("div", "status", "按 " + policy.as_of + " 作答 · " + policy.doc_no + "：" + STANDING[policy.expired] + "（" + policy.expires + "）"));
  }
  function later(block) {
    var node = window.Hukou.render.changes(block, { open: true });
    if (node) result.appendChild(node);
  }

  // "还需问清": each question answerable in place (是 / 否 / 不清楚, or the fact's options).
  function showAsks(p) {
    if (!p || !p.questions || !p.questions.length) return;
    var a = current();
    var questions = askable(p);
    var open = questions.filter(function (x) { return !a.unsure[x.fact]; });
    var unsure = questions.filter(function (x) { return a.unsure[x.fact]; });
    if (!open.length && !unsure.length) return;
    asks.appendChild(el("div", "block", "还需问清（" + open.length + "）"));
    var list = el("ol", "ask-list"), more = el("ol", "ask-list"), shown = 5;
    more.start = shown + 1;
    open.forEach(function (x, index) {
      var li = el("li", "ask"); li.dataset.fact = x.fact;
      li.appendChild(el("span", "ask-q", x.question));
      var buttons = el("span", "ask-a");
      x.options.forEach(function (o) {
        if (o.value === null) return;
        var label = o.value === true ? "是" : o.value === false ? "否" : o.label;
        var b = el("button", null, label); b.type = "button";
        b.setAttribute("aria-label", x.question + " " + label);
        b.addEventListener("click", function () { answer(x.fact, o.value); });
        buttons.appendChild(b);
      });
      var u = el("button", "unsure", "不清楚"); u.type = "button";
      u.setAttribute("aria-label", x.question + " 不清楚");
      u.addEventListener("click", function () { a.unsure[x.fact] = true; call.proposed = false; render(); });
      buttons.appendChild(u);
      li.appendChild(buttons);
      (index < shown ? list : more).appendChild(li);
    });
    asks.appendChild(list);
    if (open.length > shown) {
      var fold = el("details", "more");
      fold.appendChild(el("summary", null, "其余 " + (open.length - shown) + " 项（多为其他落户途径的条件）"));
      fold.appendChild(more);
      asks.appendChild(fold);
    }
    if (unsure.length) asks.appendChild(el("div", "muted", "来电人不清楚：" + unsure.map(function (x) { return FACTS[x.fact] ? FACTS[x.fact].label : x.fact; }).join("、") + "（请其向派出所确认）"));
  }

  // The questions to ask: with no goal yet, only what the caller wants to do.
  function askable(p) {
    var qs = p.questions || [];
    return p.outcome === "need_goal" ? qs.filter(function (x) { return x.fact === "goal"; }) : qs;
  }

  function answer(fact, value) {
    current().ticked[fact] = value;
    call.proposed = false;
    schedule();
    text.focus();
  }

  // -- the script, the 办事指南 and the 工单 ------------------------------------------------

  function checklistItems(p) {
    var items = [];
    ((p.checklist && p.checklist.groups) || []).forEach(function (g) { g.items.forEach(function (it) { items.push(it); }); });
    return items;
  }

  // The spoken verdict on the first clause cited, by the engine's outcome.
  var SAYS = {
    eligible: "的情况符合这一条，可以申请办理。",
    undetermined: "的情况可能适用这一条，还要问清几点才能确定。",
    residence_permit: "的情况不符合落户的条件，按这一条可以办理居住证。",
    refused: "的情况不属于这份文件允许往农村迁移的情形。",
  };

  function scriptFor(top, p, a) {
    if (!p || p.outcome === "need_goal") {
      if (top.type !== "assessment" && top.text) return top.text;
      return "";
    }
    var policy = p.policy || top.policy || {};
    var routes = cited(p);
    var first = routes[0];
    var lines = [];
    var word = /（(.+)）$/.exec(a.label);
    var rel = relationOf(a);
    var who = rel === "self" ? "您" : "您说的" + (a.words ? RELATIONS[rel] : word ? word[1] : a.label);
    var says = first
      ? "按醴陵市2017年的文件（" + policy.doc_no + "）" + first.label + "“" + first.title + "”的规定，" + who
        + (SAYS[p.outcome] || "的情况" + (OUTCOMES[p.outcome] || "还需确认") + "。")
      : "按醴陵市2017年的文件（" + policy.doc_no + "），" + who + "的情况" + (OUTCOMES[p.outcome] || "还需确认") + "。";
    if (first && first.why && first.why.length) says += "依据是：" + first.why.join("；") + "。";
    says += "这份文件标注的有效期到" + dateWords(policy.expires) + "，" + (policy.expired ? "现在已经过期" : "目前在有效期内")
      + "，具体要求请以派出所的答复为准，办理前请先向派出所确认。";
    lines.push(says);
    var items = checklistItems(p);
    if (items.length) {
      lines.push("需要准备的材料（" + a.label + "）：");
      items.forEach(function (it, i) {
        var tail = it.condition ? "（" + it.condition + "时需要）" : "";
        if (it.confirm) tail += "（一般还会要求，请向派出所确认）";
        lines.push((i + 1) + ". " + it.name + tail);
      });
    }
    (p.procedures || []).forEach(function (pr) {
      lines.push("办理地点：" + pr.where + (pr.approval ? "；" + pr.approval : "") + "。");
      if (pr.time_limit) lines.push("办理时限：" + pr.time_limit + "。");
    });
    var depts = departments(p);
    if (depts.length) lines.push("负责部门：" + depts.join("、") + "。");
    var open = askable(p).filter(function (x) { return !a.unsure[x.fact]; });
    if (open.length) {
      lines.push("还需要问清：");
      open.slice(0, 4).forEach(function (x, i) { lines.push((i + 1) + ". " + x.question); });
    }
    return lines.join("\n");
  }

  function dateWords(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日" : (iso || "");
  }

  function departments(p) {
    var seen = [];
    cited(p).forEach(function (c) { (c.departments || []).forEach(function (d) { if (seen.indexOf(d) < 0) seen.push(d); }); });
    return seen;
  }

  // 办事指南, as a 12345 knowledge-base entry: only what the payload (policy_text/) gives.
  function showGuide(p) {
    if (!p || !cited(p).length) { guide.appendChild(el("div", "muted", "确定所办事项后显示办事指南。")); return; }
    var items = checklistItems(p).map(function (it, i) { return (i + 1) + ". " + it.name + (it.condition ? "（" + it.condition + "）" : ""); });
    var procedures = p.procedures || [];
    cited(p).forEach(function (c, index) {
      var pr = procedures[Math.min(index, procedures.length - 1)];
      var fee = pr && (pr.notes || []).filter(function (n) { return /费/.test(n); })[0];
      var rows = [
        ["事项名称", c.title],
        ["办理依据", (p.policy ? p.policy.doc_no + " " : "") + c.label + "：“" + c.quote + "”"],
        ["受理条件", c.why && c.why.length ? c.why.join("；") : c.quote],
        ["申请材料", items.length ? items.join("\n") : UNSAID],
        ["办理地点", pr ? pr.where : UNSAID],
        ["审批", pr && pr.approval ? pr.approval : UNSAID],
        ["办理时间", UNSAID],
        ["办理时限", pr && pr.time_limit ? pr.time_limit + evidence(pr) : UNSAID],
        ["收费标准", fee || UNSAID],
        ["联系电话", UNSAID],
        ["承办单位", (c.departments || []).join("、") || UNSAID],
      ];
      var box = el("section", "guide");
      box.appendChild(el("h3", null, "办事指南：" + c.label + " " + c.title));
      var dl = el("dl");
      rows.forEach(function (r) {
        dl.appendChild(el("dt", null, r[0]));
        dl.appendChild(el("dd", r[1] === UNSAID ? "unsaid" : null, r[1]));
      });
      box.appendChild(dl);
      guide.appendChild(box);
    });
    guide.appendChild(el("div", "muted", "“未见规定”的项目政策文本和本系统资料中都没有，请来电人以派出所公布的为准；综合咨询可拨打 12345 政务服务便民热线。"));
  }

  // Where the procedure comes from other Hunan cities' practice, say so.
  var EVIDENCE = { HC: "湖南其他市县的做法", G: "一般做法，未核实", U: "来源不确定" };
  function evidence(pr) {
    return EVIDENCE[pr.reliability] ? "（资料为" + EVIDENCE[pr.reliability] + "，以醴陵派出所为准）" : "";
  }

  function ticketFor(top, p, a) {
    var goal = (p && p.situation && p.situation.goal) || (top.understood || {}).goal;
    var routes = p ? cited(p) : (top.clauses || []);
    var topic = ["户籍管理", goal ? optionLabel("goal", goal) : "政策咨询"];
    if (routes[0]) topic.push(routes[0].label + " " + routes[0].title);
    var depts = p ? departments(p) : [];
    var lines = [
      "诉求分类：" + topic.join(" > "),
      "承办单位：" + (depts.length ? depts.join("、") : "醴陵市公安局户政（政策未指明，按户籍事项转办）"),
      "申请人：" + a.label + "（与来电人关系：" + (RELATIONS[relationOf(a)] || ROLES[a.role]) + "）",
      "政策依据：" + (routes.length ? routes.map(function (c) { return c.label + " " + c.title; }).join("；") : "未确定"),
      "答复要点：" + (p ? OUTCOMES[p.outcome] || p.outcome : "咨询政策") + "；文件标注有效期至" + ((p && p.policy) || top.policy || {}).expires + "，已提示向派出所确认",
    ];
    return lines.join("\n");
  }

  // -- copying (works over plain http: the clipboard API needs a secure origin) --------------

  function copyFrom(area, label) {
    if (!area.value) return;
    var done = function () { label.textContent = "已复制"; };
    var manual = function () {
      area.focus(); area.select();
      label.textContent = "已选中，请按 Ctrl+C 复制";
    };
    if (window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(done, fallback);
    } else {
      fallback();
    }
    function fallback() {
      area.focus(); area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) done(); else manual();
    }
  }
  copyBtn.addEventListener("click", function () { copyFrom(script, copied); });
  $("copy-ticket").addEventListener("click", function () { copyFrom(ticketText, $("ticket-copied")); });

  // -- result views ------------------------------------------------------------------------

  var VIEWS = [["tab-result", result], ["tab-guide", guide], ["tab-ticket", $("ticket")]];
  VIEWS.forEach(function (v, i) {
    var tab = $(v[0]);
    tab.addEventListener("click", function () { view(i); });
    tab.addEventListener("keydown", function (e) {
      var d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      var n = (i + d + VIEWS.length) % VIEWS.length;
      view(n); $(VIEWS[n][0]).focus();
    });
  });
  function view(n) {
    VIEWS.forEach(function (v, i) {
      $(v[0]).setAttribute("aria-selected", String(i === n));
      $(v[0]).tabIndex = i === n ? 0 : -1;
      v[1].hidden = i !== n;
    });
  }
  view(0);

  // -- search ------------------------------------------------------------------------------

  function marked(node, value, words) {
    // Marks built as nodes: the text is never parsed as HTML.
    var spans = [];
    words.forEach(function (w) {
      if (!w) return;
      var at = value.indexOf(w);
      while (at >= 0) { spans.push([at, at + w.length]); at = value.indexOf(w, at + 1); }
    });
    spans.sort(function (x, y) { return x[0] - y[0]; });
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push(s.slice());
    });
    var at = 0;
    merged.forEach(function (s) {
      node.appendChild(document.createTextNode(value.slice(at, s[0])));
      node.appendChild(el("mark", null, value.slice(s[0], s[1])));
      at = s[1];
    });
    node.appendChild(document.createTextNode(value.slice(at)));
    return node;
  }

  function openClause(hit) {
    fetch("/api/clauses/" + encodeURIComponent(hit.id)).then(function (r) { return r.json(); }).then(function (c) {
      clauseView.textContent = "";
      var head = el("div", "clause-head");
      head.appendChild(marked(el("h3"), c.label + " " + c.title, hit.matched));
      var close = el("button", "back", "关闭"); close.type = "button";
      close.addEventListener("click", function () { clauseView.hidden = true; q.focus(); });
      head.appendChild(close);
      clauseView.appendChild(head);
      [c.quote].concat(c.extra_quotes || []).forEach(function (t) { clauseView.appendChild(marked(el("blockquote"), t, hit.matched)); });
      if (c.departments && c.departments.length) clauseView.appendChild(el("div", "muted", "负责部门：" + c.departments.join("、")));
      if (c.procedure) clauseView.appendChild(el("div", "muted", "办理地点：" + c.procedure.where + (c.procedure.time_limit ? "；时限：" + c.procedure.time_limit : "")));
      // Name the words, not the two-character pieces of them that matched too.
      var whole = hit.matched.filter(function (w) { return !hit.matched.some(function (o) { return o !== w && o.indexOf(w) >= 0; }); });
      clauseView.appendChild(el("div", "muted", "匹配的词已标出：" + whole.join("、")));
      clauseView.hidden = false;
      clauseView.focus();
    });
  }

  function search() {
    var query = q.value.trim();
    hits.textContent = ""; searchNote.textContent = ""; clauseView.hidden = true;
    if (!query) return;
    fetch("/api/search?q=" + encodeURIComponent(query)).then(function (r) { return r.json(); }).then(function (d) {
      if (q.value.trim() !== query) return;
      hits.textContent = "";
      if (!d.hits || !d.hits.length) { nothingFound(query); return; }
      searchNote.textContent = "找到 " + d.hits.length + " 条，按 Enter 或点击查看全文";
      d.hits.forEach(function (h) {
        var li = el("li");
        var b = el("button", "hit"); b.type = "button";
        b.appendChild(el("strong", null, h.label + " " + h.title));
        b.addEventListener("click", function () { openClause(h); });
        li.appendChild(b);
        var s = el("div", "muted");
        // Snippets are escaped by the server; only <mark> tags are added there.
        s.innerHTML = h.snippet;
        li.appendChild(s);
        hits.appendChild(li);
      });
    });
  }

  // No result: say what the policy does cover, and where else to ask.
  function nothingFound(query) {
    searchNote.textContent = "";
    var li = el("li", "none");
    li.appendChild(el("div", null, "政策中没有找到“" + query + "”。本政策（" + "醴政发〔2017〕6号）涉及："));
    var ul = el("ul");
    SECTIONS.forEach(function (c) { ul.appendChild(el("li", null, c.label + " " + c.title)); });
    li.appendChild(ul);
    li.appendChild(el("div", "muted", "其他户籍业务（如户口簿补办、身份证、更正登记项目）政策未作规定，请来电人咨询派出所或醴陵市公安局户政部门；综合咨询可拨打 12345 政务服务便民热线。"));
    hits.appendChild(li);
  }

  q.addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });

  // -- keyboard ----------------------------------------------------------------------------

  function clearAll() {
    text.value = ""; asOf.value = "";
    call = fresh(); answers = [];
    showTabs(); schedule();
    copied.textContent = "";
    text.focus();
  }
  $("clear").addEventListener("click", clearAll);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); copyFrom(script, copied); return; }
    if (e.key === "Escape") {
      // In a select, Esc closes its list; it must not wipe the call.
      if (e.target && e.target.tagName === "SELECT") return;
      if (document.activeElement === q) { q.value = ""; search(); return; }
      e.preventDefault(); clearAll();
    }
  });
  text.addEventListener("input", function () { copied.textContent = ""; schedule(); });
  asOf.addEventListener("change", schedule);

  // -- start -------------------------------------------------------------------------------

  Promise.all([
    fetch("/api/facts").then(function (r) { return r.json(); }),
    fetch("/api/clauses").then(function (r) { return r.json(); }),
  ]).then(function (data) {
    data[0].facts.forEach(function (f) { FACTS[f.fact] = f; ORDER.push(f.fact); factsRest.appendChild(factRow(f)); });
    SECTIONS = data[1].clauses.filter(function (c) { return /^[2-5](\.\d)?$/.test(c.id); });
    showTabs();
    lookup();
  });
  text.focus();
})();
